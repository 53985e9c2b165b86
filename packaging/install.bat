@echo off
setlocal EnableExtensions
rem qmap @VERSION@ 离线安装 offline install (Windows): nothing is fetched from the network.
rem
rem   双击 install.bat               安装到 %USERPROFILE%\qmap
rem   install.bat D:\qmap            或安装到指定目录
rem
rem Creates a virtual environment there and installs qmap from .\wheels with pip --no-index.
rem make_bundle.py writes this file GBK-encoded with CRLF lines: cmd.exe reads it in the console code page.

set "HERE=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%USERPROFILE%\qmap"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
set "CLICKED="
echo %cmdcmdline% | find /i "/c" >nul && set "CLICKED=1"

set "PY="
for %%V in (3.13 3.12 3.11 3.10) do if not defined PY py -%%V -c "import sys" >nul 2>nul && set "PY=py -%%V"
if not defined PY python -c "import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))" >nul 2>nul && set "PY=python"
if not defined PY goto :nopython
echo 使用 using Python: %PY%

if exist "%TARGET%\" if not exist "%TARGET%\Scripts\python.exe" goto :notours
%PY% -m venv "%TARGET%"
if errorlevel 1 goto :novenv
"%TARGET%\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%HERE%wheels" --upgrade qmap
if errorlevel 1 goto :fail

rem qmap-cmd.bat: a command prompt in which qmap works
> "%TARGET%\qmap-cmd.bat" echo @echo off
>> "%TARGET%\qmap-cmd.bat" echo set "PATH=%TARGET%\Scripts;%%PATH%%"
>> "%TARGET%\qmap-cmd.bat" echo cd /d "%%USERPROFILE%%"
>> "%TARGET%\qmap-cmd.bat" echo echo qmap 已就绪：输入 qmap demo 试一试，qmap --help 查看全部命令。
>> "%TARGET%\qmap-cmd.bat" echo cmd /k

"%TARGET%\Scripts\qmap.exe" --version
if errorlevel 1 goto :fail
echo.
echo 安装完成 installed: %TARGET%
echo 以后双击 %TARGET%\qmap-cmd.bat 打开命令行窗口，输入 qmap demo 试一试。
if defined CLICKED pause
exit /b 0

:nopython
echo 错误 Error: 未找到 Python 3.10-3.13。请先用 python.org 的 Windows 安装包安装 Python，
echo 安装时勾选 "Add python.exe to PATH"，然后重新运行 install.bat。
goto :fail
:notours
echo 错误 Error: %TARGET% 已存在且不是 qmap 的安装目录。请换一个目录：install.bat D:\qmap
goto :fail
:novenv
echo 错误 Error: 无法在 %TARGET% 创建虚拟环境。
goto :fail
:fail
echo 安装未完成 not installed.
if defined CLICKED pause
exit /b 1
