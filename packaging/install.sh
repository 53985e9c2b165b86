#!/bin/sh
# qmap @VERSION@ 离线安装 offline install (macOS, Linux): nothing is fetched from the network.
#
#   sh install.sh              安装到 installs into ~/qmap
#   sh install.sh /opt/qmap    或安装到指定目录 or into the folder you name
#
# Creates a virtual environment there and installs qmap from ./wheels with pip --no-index.
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
target=${1:-"$HOME/qmap"}
export PIP_DISABLE_PIP_VERSION_CHECK=1

python=""
for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  echo "错误 Error: 需要 Python 3.10-3.13 (need Python 3.10 to 3.13: macOS - the python.org installer;" \
       "Linux - apt-get install python3 python3-venv, or dnf install python3)" >&2
  exit 1
fi
echo "使用 using $python ($("$python" -c 'import sys; print(sys.version.split()[0])'))"

if [ -e "$target" ] && [ ! -x "$target/bin/python" ]; then
  echo "错误 Error: $target 已存在且不是 qmap 的安装目录 (exists and is not a qmap environment);" \
       "choose another folder: sh install.sh /path/to/folder" >&2
  exit 1
fi
if ! "$python" -m venv "$target"; then
  echo "错误 Error: 无法创建虚拟环境 could not create a virtual environment in $target" \
       "(Debian/Ubuntu: apt-get install python3-venv)" >&2
  exit 1
fi
"$target/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" --upgrade qmap
"$target/bin/qmap" --version
echo
echo "安装完成 installed: $target"
echo "试一试 try:  $target/bin/qmap demo"
echo "以后直接输入 qmap (to type just qmap):  export PATH=\"$target/bin:\$PATH\"   # 可写入 ~/.profile"
