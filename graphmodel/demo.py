"""Illustrative, deterministic demo data for the 28 Shanghai chain projects.

:func:`generate_demo` builds, on top of the registry of the notice's annex
(:mod:`graphmodel.registry`), one raw intake table per contract sheet: for every chain
an owner, two or three upstream tiers and one or two downstream tiers of plausible
firms for that industry, support bodies covering the four NQI pillars plus one
training base per district, problems of every category and status, projects, policy
tools, indicators with national and industry limits, readings for 2024 and 2025 and
targets.

Everything invented carries the marker ``（示例）`` (:data:`MARK`) in its name or title,
so no one mistakes it for a real firm, body, standard limit or policy. Chain names,
districts and chain leaders are the notice's own.

Values are in the intake's raw form, as an analyst would type them: mostly English
codes, with Chinese words mixed in on purpose in a few columns (role, size, severity,
status, kind, direction, link status); lists joined with ``;``; booleans as 是/否,
true/false or ★; dates as ``YYYY-MM-DD``; blanks as None. The same seed always gives
identical tables (one ``random.Random(seed)``, no clock, no global state).

>>> tables = generate_demo(233)
>>> len(tables["chains"]), tables["chains"].loc[0, "chain_id"]
(28, 'SH01')
>>> all(name.endswith(MARK) for name in tables["enterprises"]["name"])
True

Run ``python -m graphmodel.demo [seed]`` for a per-chain summary.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd

if TYPE_CHECKING:
    import networkx as nx

from .analyses import reading_status
from .registry import SHANGHAI_DISTRICTS, ChainEntry, load_registry
from .schema import ENUMS, NQI_PILLARS, SERVICES, SHEET_ORDER, SHEETS

__all__ = ["generate_demo", "write_demo", "DemoResult", "summarize", "MARK", "DEMO_SEED", "DEMO_YEAR"]

#: Appended to every invented name so the demo can never pass for real data.
MARK = "（示例）"
DEMO_SEED = 233
#: The year the demo's annual report summarises (readings are for 2024 and 2025).
DEMO_YEAR = 2025


# --------------------------------------------------------------------------- chain specs
#
# One small tree per chain. Each line is "<role><dots> <name word>|<product>":
#   O  the owner (tier 0); U upstream (dots = depth, tier = dots + 1; a node supplies
#   its parent, the top level supplies the owner); D downstream (tier 1 buys the
#   owner's product, tier 2 buys its parent's); M midstream (tier 1, buys "<input"
#   from the upstream node with that product and supplies the owner).
# The name word goes into the firms' names, the product onto SUPPLIES edges.

_SPECS: dict[int, tuple[str, tuple[str, ...], tuple[int, ...], str]] = {
    # seq: (industry, body tags, indicator numbers, tree)
    1: ("空间太阳能电源", ("heavy", "electrical", "materials"), (5, 4, 1), """
O 空间电源|空间太阳电池阵
U 光电|砷化镓太阳电池片
U. 半导体材料|砷化镓外延片
U.. 稀有金属|锗单晶衬底
U 特种玻璃|抗辐照盖片玻璃
U. 石英材料|高纯石英原料
U 复合材料|碳纤维蜂窝基板
U. 碳纤维|高模量碳纤维预浸料
U 电子|电源控制器
U. 电子元器件|宇航级元器件
D 卫星|商业遥感卫星
D. 卫星运营|在轨运营服务
D 空间科技|空间站试验载荷
"""),
    2: ("光伏玻璃", ("materials", "chem"), (4, 1), """
O 光伏玻璃|光伏压延镀膜玻璃
U 石英材料|低铁石英砂
U. 矿业|石英原矿
U 化工|纯碱
U. 盐化工|工业原盐
U 纳米涂层|减反射镀膜液
U. 精细化工|硅溶胶
U 窑炉工程|压延辊及窑炉配件
U. 耐火材料|电熔锆刚玉砖
D 光伏组件|光伏组件
D. 光伏电站|分布式光伏电站
D 建筑光伏|光伏幕墙
"""),
    3: ("核电装备", ("heavy",), (6, 1), """
O 核电装备|核电主设备集成
U 重型锻造|核级大型锻件
U. 特钢|核级钢锭
U.. 冶金炉料|低杂质铁合金
U 精密制造|控制棒驱动机构
U. 精密机械|精密轴承及密封件
U 焊接材料|核级焊材
U. 金属制品|焊丝用盘条
U 仪控|核级仪表及传感器
U. 电子元器件|核级电子元器件
D 核电工程|核岛设备安装
D. 核电运维|核电站运维服务
"""),
    4: ("食品消费品", ("food",), (7, 3), """
O 食品|烘焙及休闲食品
U 粮油|专用面粉
U. 农产品|小麦原粮
U 乳业|淡奶油及乳制品原料
U. 牧业|生鲜乳
U 包装材料|食品级包装材料
U. 塑料|食品级聚丙烯粒子
U 香精香料|食品用香精
U. 精细化工|天然香料提取物
M 食品加工|烘焙半成品代加工<专用面粉
D 食品分销|休闲食品分销
D. 便利连锁|门店零售
D 餐饮管理|连锁餐饮供应
"""),
    5: ("针织服饰", ("textile", "fashion"), (8, 1), """
O 服饰|针织时装
U 针织|针织面料
U. 纺纱|精梳棉纱
U.. 棉业|皮棉
U 印染|染整加工
U. 染料|活性染料
U 服装辅料|纽扣拉链辅料
U. 五金|金属拉链坯
M 服装制造|针织成衣代工<针织面料
D 服饰零售|针织时装分销
D. 电子商务|线上零售
"""),
    6: ("数字智能软硬件", ("digital",), (12, 1), """
O 数智科技|智能计算服务器及平台
U 电子|服务器主板
U. 半导体|存储芯片
U 软件|数据库及中间件
U. 信息技术|开源组件维护服务
U 电源|服务器电源模块
U. 电子元器件|功率器件
D 系统集成|行业数智化解决方案
D. 楼宇科技|智慧楼宇运营
D 云服务|算力租赁服务
"""),
    7: ("人力资源服务", ("service",), (3,), """
O 人力资源|人力资源综合服务
U 人才测评|人才测评工具
U. 软件|测评系统软件
U 职业培训|职业技能培训课程
U. 教育科技|在线学习平台
U 信息咨询|背景核查服务
U. 数据服务|信用数据服务
D 智能制造|生产用工外包
D 商业零售|门店用工外包
"""),
    8: ("分析检测试剂", ("chem",), (15, 1), """
O 试剂|高纯分析试剂
U 化工原料|高纯无机盐
U. 基础化工|工业级无机盐
U 溶剂|色谱级溶剂
U. 石油化工|工业乙腈
U 新材料|高纯金属标准原料
U. 有色金属|精炼金属锭
U 玻璃制品|试剂级玻璃瓶
U. 玻璃|中性硼硅玻璃管
D 试剂贸易|分析试剂分销
D. 实验室服务|高校实验室
D 检测技术|第三方检测服务
"""),
    9: ("数字零售", ("service", "digital"), (3,), """
O 零售|数字化零售运营平台
U 供应链管理|商品集采配送
U. 品牌管理|快消品供货
U.. 食品|包装食品
U 软件|零售SaaS系统
U. 云计算|云主机服务
U 物流|城市即时配送
U. 汽车租赁|配送车辆租赁
D 商业连锁|加盟门店零售
D. 便利店|社区零售
"""),
    10: ("养老服务", ("service",), (3,), """
O 养老服务|机构及居家养老服务
U 康复辅具|康复辅助器具
U. 医疗器械|医用护理床配件
U 餐饮管理|老年营养餐
U. 净菜加工|净菜配送
U 职业培训|养老护理员培训
U. 教育科技|护理实训课程
U 智能设备|智能看护终端
U. 电子|传感器模组
D 社区服务|社区日间照料服务
D 家政服务|居家上门护理
"""),
    11: ("智能机器人", ("digital", "heavy"), (12, 1), """
O 机器人|工业协作机器人
U 传动|精密谐波减速器
U. 精密机械|柔性轴承
U.. 特钢|轴承钢
U 电机|伺服电机及驱动器
U. 磁性材料|钕铁硼磁钢
U 自动化|机器人控制器
U. 芯片设计|运动控制芯片
U 传感|六维力传感器
U. 电子元器件|应变片
D 自动化工程|机器人自动化产线
D. 汽车零部件|汽车零部件制造
D 物流装备|智能仓储系统
"""),
    12: ("时尚箱包饰品", ("fashion",), (8, 1), """
O 时尚|时尚箱包
U 皮革|成品皮革
U. 制革|蓝湿皮
U 五金|箱包五金配件
U. 金属材料|锌合金锭
U 纺织|箱包里布
U. 化纤|涤纶长丝
D 商业|时尚箱包零售
D. 电子商务|线上旗舰店
D 跨境电商|跨境电商出口
"""),
    13: ("纺织服装", ("textile", "fashion"), (8, 1), """
O 服装|品牌男女装
U 面料|梭织面料
U. 纺织|混纺纱线
U.. 纤维|再生涤纶短纤
U 服装辅料|衬布及缝纫线
U. 化纤|锦纶长丝
U 印染|印花加工
U. 染料|分散染料
M 服装制造|成衣代工<梭织面料
D 服饰零售|服装零售
D. 电子商务|服装线上零售
"""),
    14: ("社区团购", ("service", "food", "agri"), (7, 3), """
O 社区团购|社区团购平台
U 农产品|蔬果供货
U. 蔬菜专业合作|蔬菜种植
U 食品|预包装食品
U. 粮油|面粉及食用油
U 仓储物流|网格仓配送
U. 冷链运输|冷藏车运输
D 社区商业|社区团长自提点
"""),
    15: ("集成电路检测设备", ("digital", "electrical"), (12, 1), """
O 半导体设备|晶圆缺陷检测设备
U 光学|精密光学镜组
U. 光学材料|光学玻璃毛坯
U 精密运动|精密运动平台
U. 精密机械|直线电机
U 电子|高速图像采集卡
U. 芯片|FPGA芯片
U 真空技术|真空腔体
U. 金属加工|不锈钢精密件
D 集成电路制造|晶圆代工
D. 封装测试|芯片封测
"""),
    16: ("石墨烯新材料", ("materials", "chem"), (14, 1), """
O 石墨烯|石墨烯粉体及浆料
U 石墨|高纯鳞片石墨
U. 矿业|天然石墨原矿
U 化工|氧化插层剂
U. 基础化工|浓硫酸
U 装备|CVD生长设备
U. 真空设备|真空泵
D 电池材料|石墨烯导电剂
D. 动力电池|动力电池
D 涂料|石墨烯防腐涂料
D. 海洋工程|海工防腐工程
"""),
    17: ("邮轮旅游", ("service",), (3,), """
O 邮轮旅游|邮轮航线运营
U 船舶供应|邮轮船供物资
U. 食品|邮轮食品原料
U 港口服务|港口靠泊及通关服务
U. 码头|码头作业服务
U 酒店用品|邮轮客房用品
U. 纺织|酒店布草
D 国际旅行|邮轮旅游产品分销
D. 旅游服务|旅游零售门店
"""),
    18: ("氢燃料电池汽车", ("auto",), (13, 11), """
O 氢能汽车|氢燃料电池商用车
U 燃料电池|燃料电池电堆
U. 膜电极|膜电极组件
U.. 催化材料|铂碳催化剂
U 储氢|车载储氢瓶
U. 碳纤维|碳纤维缠绕材料
U 汽车零部件|空压机
U. 精密机械|空气轴承
U 电子|DC/DC变换器
U. 电子元器件|功率电感
U 双极板|金属双极板
U. 冶金|超薄不锈钢带
D 物流|城市氢能配送
D 公共交通|氢能公交客运
"""),
    19: ("汽车零部件出口", ("auto",), (11, 1), """
O 汽车零部件|新能源汽车电驱总成
U 铸造|铝合金壳体铸件
U. 有色金属|再生铝锭
U 电机|扁线电机定子
U. 铜材|扁铜线
U 电子|功率模块
U. 半导体|IGBT芯片
U 密封件|橡胶密封件
U. 橡胶|氟橡胶混炼胶
D 汽车|新能源整车
D. 汽车贸易|整车出口
D 进出口贸易|零部件出口贸易
D. 汽车服务|海外售后服务
"""),
    20: ("预制菜", ("food", "agri"), (7, 3), """
O 预制菜|预制菜肴
U 养殖|冷鲜猪肉
U. 饲料|配合饲料
U 蔬菜种植|净菜原料
U. 种业|蔬菜种苗
U 调味品|复合调味料
U. 香辛料|香辛料原料
U 包装|真空包装袋
U. 塑料|食品级薄膜
D 团餐服务|团餐配餐
D 生鲜电商|生鲜电商销售
D. 社区商业|社区配送站
"""),
    21: ("航空航天材料", ("materials", "heavy"), (6, 1), """
O 航空材料|高温合金及钛合金锻件
U 特种冶炼|高温合金母合金
U. 金属材料|电解镍
U.. 有色冶炼|镍精矿
U 钛业|海绵钛
U. 化工|四氯化钛
U 模具|锻造模具
U. 模具钢|热作模具钢
D 航空制造|航空发动机零部件
D. 航空动力|航空发动机总装
D 航天制造|火箭结构件
"""),
    22: ("智能电网装备", ("electrical",), (10, 12, 1), """
O 电网装备|智能环网柜
U 电力电子|智能断路器
U. 电子元器件|电流互感器
U 电缆|中压电缆
U. 铜材|无氧铜杆
U 绝缘材料|环氧绝缘件
U. 化工|环氧树脂
U 钣金|柜体钣金件
U. 钢材|冷轧钢板
D 电力工程|配电工程总包
D. 电力运维|配网运维服务
D 新能源|光伏电站并网
"""),
    23: ("预拌混凝土", ("build",), (9, 1), """
O 混凝土|预拌混凝土
U 水泥|通用硅酸盐水泥
U. 石灰石|石灰石
U 建材|机制砂及碎石
U. 矿山|石料开采
U 建筑材料|聚羧酸减水剂
U. 化工|聚醚单体
U 环保材料|粉煤灰及矿粉
U. 热电|粉煤灰原灰
D 建筑工程|房建工程施工
D. 房地产开发|住宅开发
D 市政工程|市政道桥施工
"""),
    24: ("草莓种植与流通", ("agri", "food"), (7, 3), """
O 农业发展|白鹤草莓
U 种苗|草莓脱毒种苗
U. 生物科技|组培原种
U 农资|有机肥
U. 养殖|畜禽粪污原料
U 设施农业|连栋温室大棚
U. 钢管|镀锌钢管
U 包装|草莓礼盒包装
U. 纸业|瓦楞纸板
D 果品零售|鲜果零售
D 生鲜电商|草莓线上销售
D. 社区商业|社区团购自提点
"""),
    25: ("机动车检测", ("auto", "service"), (15, 3), """
O 机动车检测|机动车安全技术检验
U 检测设备|排放检测设备
U. 传感器|气体分析传感器
U 软件|检测联网监管系统
U. 云计算|云主机服务
U 设备维修|检测线设备维修
U. 机电配件|设备备品备件
D 二手车|二手车交易服务
D 道路运输|道路货运服务
"""),
    26: ("化妆品", ("cosmetic", "chem"), (10, 1), """
O 化妆品|护肤化妆品
U 生物科技|化妆品活性原料
U. 发酵工程|发酵提取物
U 包装制品|化妆品包装瓶
U. 塑料|PETG粒子
U 香精|日化香精
U. 香料|天然精油
M 日化|OEM灌装<化妆品活性原料
D 化妆品零售|化妆品专柜零售
D. 电子商务|直播电商
D 美容服务|美容院线
"""),
    27: ("电线电缆", ("electrical",), (16, 1), """
O 线缆|电力电缆
U 铜业|无氧铜杆
U. 冶炼|阴极铜
U 高分子材料|交联聚乙烯绝缘料
U. 石油化工|低密度聚乙烯
U 阻燃材料|低烟无卤护套料
U. 化工|氢氧化铝阻燃剂
U 木业|钢木线盘
U. 木材|胶合板
D 电气安装|建筑电气安装
D 电力工程|配电线路工程
D. 电力运维|线路运维服务
"""),
    28: ("海洋装备", ("heavy",), (6, 11, 1), """
O 船舶|海洋工程船
U 钢铁|船用高强钢板
U. 冶金|钢坯
U 动力机械|船用柴油发电机组
U. 精密机械|曲轴
U 电气|船舶电力推进系统
U. 电子元器件|变频器模块
U 涂装|船舶防腐涂料
U. 化工|环氧树脂
D 海洋工程|海洋工程服务
D. 风电运维|海上风电运维
"""),
}

# Firms that sit on two chains: (home seq, node product) — the firm is named after the
# home node — and (other seq, node product). "OWNER" is the chain's owner node.
_SHARED: tuple[tuple[tuple[int, str], tuple[int, str]], ...] = (
    ((2, "低铁石英砂"), (1, "高纯石英原料")),
    ((18, "DC/DC变换器"), (19, "功率模块")),
    ((4, "食品级包装材料"), (20, "真空包装袋")),
    ((20, "OWNER"), (14, "预包装食品")),
    ((27, "OWNER"), (22, "中压电缆")),
    ((16, "石墨烯防腐涂料"), (28, "船舶防腐涂料")),
    ((3, "核级钢锭"), (28, "钢坯")),
    ((5, "精梳棉纱"), (13, "混纺纱线")),
    ((12, "时尚箱包零售"), (26, "化妆品专柜零售")),
    ((22, "环氧树脂"), (28, "环氧树脂")),
)

# --------------------------------------------------------------------------- indicators
# number: (name, unit, direction, standard, national limit, industry limit, decimals)
# Limits are illustrative; the industry limit is always stricter than the national one.
# _BEST: the best reading the industry plausibly reaches (readings that beat the industry limit stay
# below it), so no solar cell converts 60 % and no glass transmits 96 % of the light.
_INDICATORS: dict[int, tuple[str, str, str, str, float, float, int]] = {
    1: ("产品监督抽查不合格率", "%", "lower", "GB/T 2828.1-2012", 5.0, 2.0, 2),
    3: ("顾客满意度指数", "分", "higher", "GB/T 19038-2009", 75.0, 82.0, 1),
    4: ("光伏玻璃太阳光透射比", "%", "higher", "GB/T 30984.1-2015", 91.5, 93.5, 2),
    5: ("空间太阳电池光电转换效率", "%", "higher", "GJB 2602A-2018", 28.0, 30.0, 2),
    6: ("焊缝无损检测一次合格率", "%", "higher", "NB/T 47013.2-2015", 96.0, 98.5, 2),
    7: ("食品安全监督抽检合格率", "%", "higher", "GB 2762-2022", 97.0, 99.0, 2),
    8: ("纺织品甲醛含量", "mg/kg", "lower", "GB 18401-2010", 75.0, 20.0, 1),
    9: ("混凝土强度检验评定合格率", "%", "higher", "GB/T 50107-2010", 95.0, 98.0, 2),
    10: ("化妆品菌落总数", "CFU/g", "lower", "化妆品安全技术规范（2015年版）", 1000.0, 500.0, 0),
    11: ("零部件出货不良率", "ppm", "lower", "QC/T 1138-2020", 500.0, 100.0, 0),
    12: ("平均无故障工作时间MTBF", "h", "higher", "GB/T 37162-2018", 8000.0, 20000.0, 0),
    13: ("燃料电池电堆体积功率密度", "kW/L", "higher", "GB/T 20042.2-2023", 3.0, 4.0, 2),
    14: ("石墨烯粉体比表面积", "m²/g", "higher", "GB/T 30544.13-2018", 300.0, 500.0, 1),
    15: ("检验检测报告差错率", "%", "lower", "GB/T 27025-2019", 1.0, 0.3, 3),
    16: ("导体直流电阻（2.5mm²，20℃）", "Ω/km", "lower", "GB/T 3956-2008", 7.41, 7.20, 3),
}

_BEST: dict[int, float] = {1: 0.3, 3: 92.0, 4: 94.3, 5: 32.5, 6: 99.8, 7: 99.9, 8: 8.0, 9: 99.8, 10: 50.0,
                           11: 10.0, 12: 50000.0, 13: 6.0, 14: 800.0, 15: 0.05, 16: 7.05}

# Targets: the share of chain targets set a little worse than (or at) the owner's reading, so met;
# the rest a little better, so missed; owners under the national limit are set to reach it (missed
# too) — most met, a few missed.
_TARGET_MET = 0.93

# --------------------------------------------------------------------------- support bodies
# (name, services, accreditations, tags); tags match a chain's tags ("general" matches all).
_BODIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("浦江计量检测服务中心", "metrology;testing", "CMA;CNAS", ("general",)),
    ("申衡精密计量校准有限公司", "metrology", "CNAS", ("heavy", "auto", "electrical", "digital")),
    ("沪东能源计量技术服务站", "metrology;quality_management", "", ("general",)),
    ("淞南标准化技术服务中心", "standards;quality_management", "", ("general",)),
    ("东海团体标准促进会", "standards", "", ("general",)),
    ("澄江产业标准创新研究所", "standards;certification", "", ("materials", "digital", "electrical")),
    ("云岭新材料检测中心", "testing", "CMA;CNAS", ("materials", "chem", "build")),
    ("海湾食品安全检测实验室", "testing", "CMA;CNAS", ("food", "agri")),
    ("汇川纺织品质量检测所", "testing;standards", "CMA", ("textile", "fashion")),
    ("临港电气产品检验站", "testing;certification", "CMA;CNAS", ("electrical",)),
    ("申鉴认证服务有限公司", "certification", "CNAS;CNCA", ("general",)),
    ("长风质量认证中心", "certification;quality_management", "CNAS;CNCA", ("general", "service")),
    ("星海汽车零部件检测中心", "testing;metrology", "CMA;CNAS", ("auto",)),
    ("九峰重型装备检测站", "testing;metrology", "CMA;CNAS", ("heavy",)),
    ("天目化学分析测试中心", "testing;metrology", "CMA;CNAS", ("chem", "cosmetic")),
    ("绿洲农产品质量检测站", "testing", "CMA", ("agri", "food")),
    ("青禾有机产品认证中心", "certification", "CNCA", ("agri", "food")),
    ("泖河建材检测有限公司", "testing", "CMA", ("build",)),
    ("晨星质量管理咨询有限公司", "quality_management;training", "", ("general", "service")),
    ("卓越绩效促进中心", "quality_management;standards", "", ("general",)),
    ("启明电子电器检测实验室", "testing;certification", "CMA;CNAS", ("digital", "electrical", "auto")),
    ("蓝海船舶检验技术中心", "testing;certification", "CNAS", ("heavy",)),
    ("航宇材料测试评价中心", "testing;metrology", "CMA;CNAS", ("materials", "heavy")),
    ("数衡软件测评实验室", "testing;certification;standards", "CMA;CNAS", ("digital", "service")),
    ("康养服务质量评价中心", "standards;certification;quality_management", "", ("service",)),
    ("联检机动车检测设备校准站", "metrology", "CNAS", ("auto",)),
    ("申美日化产品检验所", "testing;certification", "CMA;CNAS", ("cosmetic", "fashion")),
    ("纵横纺织服装标准化研究中心", "standards", "", ("textile", "fashion")),
)

# --------------------------------------------------------------------------- problems, projects
_PROBLEM_TITLES: dict[str, tuple[str, ...]] = {
    "product": ("{p}质量一致性不足", "{p}关键质量指标波动", "{p}客户投诉率偏高"),
    "process": ("{p}关键工序参数控制不稳定", "{p}过程质量追溯不完整"),
    "material": ("{p}上游来料质量波动", "{p}原材料进厂检验覆盖不足"),
    "equipment": ("{p}关键设备精度下降", "{p}缺少在线检测装备"),
    "management": ("质量管理体系运行不规范", "首席质量官制度尚未落实", "供应商质量管理薄弱"),
    "metrology": ("{p}关键计量器具未按期检定校准", "{p}测量能力不足、量值溯源不清"),
    "standard": ("{p}缺少适用的团体标准", "{p}企业标准低于行业先进水平"),
    "testing": ("{p}第三方检测周期长、费用高", "{p}缺少关键项目检测能力"),
    "certification": ("{p}出口认证获取困难", "{p}尚未取得产品认证"),
    "brand": ("{p}品牌知名度低、溢价能力弱", "缺乏区域公共品牌支撑"),
}
_NEEDS: dict[str, tuple[str, ...]] = {
    "product": ("testing", "standards"),
    "process": ("quality_management", "metrology"),
    "material": ("testing", "standards"),
    "equipment": ("metrology", "testing"),
    "management": ("quality_management", "training"),
    "metrology": ("metrology",),
    "standard": ("standards",),
    "testing": ("testing", "metrology"),
    "certification": ("certification",),
    "brand": ("certification", "quality_management"),
}
_MEASURES: dict[str, str] = {
    "product": "开展关键质量特性对标，建立出厂全检与抽检复核制度",
    "process": "固化关键工序参数，导入统计过程控制（SPC）",
    "material": "建立来料分级检验和合格供方动态管理",
    "equipment": "制定关键设备精度保持计划，加装在线检测装置",
    "management": "按 GB/T 19001 完善质量管理体系，设立首席质量官",
    "metrology": "编制计量器具周期检定校准计划，建立量值溯源链",
    "standard": "对标先进标准，牵头研制团体标准",
    "testing": "与检验检测机构共建实验室，缩短检测周期",
    "certification": "对接认证机构开展预审，制定认证获取计划",
    "brand": "参与区域公共品牌建设，开展品牌培育",
}
_CASE_TITLES = (
    "“链主+机构”联动帮扶上游企业破解{p}质量难题",
    "{i}产业链质量基础设施“一站式”服务助力{p}提质",
    "以标准引领推动{p}质量提升",
)
_CASE_SUMMARY = ("{lead}牵头，{body}深入{firm}开展{service}服务，针对“{problem}”制定整改方案并跟踪落实，"
                 "问题于 {resolved} 解决，相关经验已在链上推广。")
_CASE_ONGOING = ("{lead}牵头，{body}深入{firm}开展{service}服务，针对“{problem}”制定整改方案，"
                 "目前整改推进中，阶段成效已显现。")

_PROJECT_TITLES = (
    "{p}关键质量指标对标攻关",
    "{p}国产化替代质量提升",
    "{i}全链条质量追溯平台建设",
    "{p}团体标准研制与实施",
    "{p}检测能力共建共享",
    "{i}链上中小企业质量帮扶行动",
)
_TOOL_NAMES = {
    "showcase": ("{x}质量标杆企业培育", "{x}质量品牌示范创建"),
    "incentive": ("{x}标准化项目资助", "{x}“质量贷”融资增信", "{x}首席质量官培养补贴"),
    "constraint": ("{x}产品质量监督抽查计划", "{x}质量安全风险监测"),
}
_CITY_ISSUER = "上海市市场监督管理局"

# Invented trade-name syllables for firm names.
_BRAND_A = "澜瑞恒拓博晟泓峻铭煜翔琨璟沐昱骏禾嘉弘锦辰熙岚朗逸皓昇骐晖耀"
_BRAND_B = "启达元鑫丰盛源泰通诚睿越华卓宏邦远德凯瀚域信川隆霖安曜"
_PLAIN_SUFFIX_WORDS = ("服务", "科技", "物流", "贸易", "发展", "管理", "运输", "合作", "咨询", "商业", "电商")

_DIVISION = {  # administrative division codes, for syntactically valid USCCs
    "黄浦区": "310101", "徐汇区": "310104", "长宁区": "310105", "静安区": "310106",
    "普陀区": "310107", "虹口区": "310109", "杨浦区": "310110", "闵行区": "310112",
    "宝山区": "310113", "嘉定区": "310114", "浦东新区": "310115", "金山区": "310116",
    "松江区": "310117", "青浦区": "310118", "奉贤区": "310120", "崇明区": "310151",
}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_DAY0 = date(2024, 1, 1)


# --------------------------------------------------------------------------- internals

@dataclass
class _Node:
    role: str
    tier: int
    word: str
    product: str
    parent: "_Node | None" = None
    input: "_Node | None" = None
    firms: list[str] = field(default_factory=list)


@dataclass
class _Chain:
    entry: ChainEntry
    industry: str
    tags: tuple[str, ...]
    indicators: tuple[str, ...]
    nodes: list[_Node]
    members: dict[str, _Node] = field(default_factory=dict)  # enterprise id -> node
    enablers: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)

    @property
    def cid(self) -> str:
        return self.entry.chain_id

    @property
    def owner(self) -> _Node:
        return self.nodes[0]


def _parse_tree(tree: str) -> list[_Node]:
    nodes: list[_Node] = []
    stacks: dict[str, list[_Node]] = {"U": [], "D": []}
    for line in tree.strip().splitlines():
        head, body = line.split(" ", 1)
        letter, depth = head[0], len(head) - 1
        word, product = body.split("|")
        source = None
        if "<" in product:
            product, source = product.split("<")
        if letter == "O":
            nodes.append(_Node("owner", 0, word, product))
            continue
        role = {"U": "upstream", "D": "downstream", "M": "midstream"}[letter]
        if letter == "M":
            node = _Node(role, 1, word, product, parent=nodes[0])
            node.input = next(n for n in nodes if n.role == "upstream" and n.product == source)
        else:
            stack = stacks[letter]
            del stack[depth:]
            node = _Node(role, depth + 1, word, product, parent=stack[-1] if depth else nodes[0])
            stack.append(node)
        nodes.append(node)
    assert nodes and nodes[0].role == "owner", tree
    return nodes


def _iso(day: date) -> str:
    return day.isoformat()


def _uscc(rng: random.Random, district: str) -> str:
    """A syntactically valid 统一社会信用代码 (both check characters right).

    The organisation-code part starts with 0000, a range not handed out to firms,
    so the code cannot belong to a real enterprise.
    """
    body = "0000" + "".join(rng.choice("0123456789") for _ in range(4))
    c9 = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS)) % 11
    org = body + {10: "X", 11: "0"}.get(c9, str(c9))
    first17 = "91" + _DIVISION[district] + org
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


class _Builder:
    """Builds the raw tables; every random draw comes from ``self.rng`` in a fixed order."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict]] = {name: [] for name in SHEET_ORDER}
        self.link_keys: set[tuple] = set()
        self.names: set[str] = set()
        self.enterprise: dict[str, dict] = {}  # id -> {size, district}
        self.body_services: dict[str, tuple[str, ...]] = {}
        self.body_tags: dict[str, tuple[str, ...]] = {}
        self.supports: dict[str, set[str]] = defaultdict(set)  # enterprise -> services on SUPPORTS
        self.chains: list[_Chain] = []
        self.readings: dict[tuple[str, str, int], float] = {}
        self.body_name: dict[str, str] = {}
        self.problem_title: dict[str, str] = {}
        # The parts added later (targets near the readings, measures, cases) draw from their own stream,
        # so the rest of the demo stays as it was.
        self.extra = random.Random(seed * 7919 + 1)

    # ------------------------------------------------------------------ helpers
    def zh(self, enum: str, code: str, p: float) -> str:
        """The code, or (with probability p) its Chinese word, as analysts mix both."""
        return ENUMS[enum].chinese(code) if self.rng.random() < p else code

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def add_link(self, body: str, target: str, service: str | None, since: str | None,
                 status: str | None) -> bool:
        key = (body, target, service)
        if key in self.link_keys:
            return False
        self.link_keys.add(key)
        self.rows["support_links"].append({
            "body_id": body, "target_id": target,
            "service": None if service is None else self.zh("service", service, 0.1),
            "since": since, "status": None if status is None else self.zh("link_status", status, 0.3),
        })
        return True

    def firm_name(self, word: str, large: bool) -> str:
        rng = self.rng
        while True:
            a = rng.choice(_BRAND_A)
            b = rng.choice(_BRAND_B)
            if large:
                suffix = rng.choice(("股份有限公司", "集团有限公司"))
            elif word.endswith(_PLAIN_SUFFIX_WORDS):
                suffix = "有限公司"
            else:
                suffix = rng.choice(("有限公司", "科技有限公司", "实业有限公司"))
            name = ("上海" if rng.random() < 0.5 else "") + a + b + word + suffix + MARK
            if name not in self.names:
                self.names.add(name)
                return name

    # ------------------------------------------------------------------ steps
    def build(self) -> dict[str, pd.DataFrame]:
        self.chains_and_firms()
        self.supplies()
        self.bodies()
        self.enables()
        self.support_firms()
        self.problems()
        self.projects()
        self.policy_tools()
        self.indicators_and_readings()
        self.cases()
        frames = {name: pd.DataFrame(self.rows[name], columns=list(SHEETS[name].column_names), dtype=object)
                  for name in SHEET_ORDER}
        return {name: f.where(f.notna(), None) for name, f in frames.items()}  # columns no step fills: blank

    def cases(self) -> None:
        """典型案例: two or three per key chain, one for some others — each a problem resolved with a
        body's help, the firm and the body named in ``related``."""
        rng = self.extra
        self.rows.setdefault("cases", [])
        n = 0
        for chain in self.chains:
            resolved = sorted((p for p in chain.problems if p["status"] == "resolved" and p["enterprise"]),
                              key=lambda p: p["resolved"], reverse=True)  # this year's first
            resolved += [p for p in chain.problems if p["status"] == "in_progress" and p["enterprise"]]
            count = rng.randint(2, 3) if chain.entry.key else (1 if rng.random() < 0.35 else 0)
            for problem in resolved[:count]:
                n += 1
                body = next((r["body_id"] for r in self.rows["support_links"] if r["target_id"] == problem["id"]),
                            rng.choice(chain.enablers))
                service = ENUMS["service"].chinese(problem["needs"][0])
                firm = self.enterprise[problem["enterprise"]]["name"]
                lead = self.enterprise[chain.owner.firms[0]]["name"]
                title = rng.choice(_CASE_TITLES).format(p=problem["node"].product, i=chain.industry)
                self.rows["cases"].append({
                    "case_id": f"CS{n:03d}", "chain_id": chain.cid,
                    "year": problem["resolved"].year if problem["resolved"] else DEMO_YEAR,
                    "title": title + MARK,
                    "summary": (_CASE_SUMMARY if problem["resolved"] else _CASE_ONGOING).format(
                        lead=lead, body=self.body_name[body], firm=firm, service=service,
                        problem=self.problem_title[problem["id"]],
                        resolved=_iso(problem["resolved"]) if problem["resolved"] else "") + MARK,
                    "related": ";".join([problem["enterprise"], body, problem["id"]]),
                })

    def chains_and_firms(self) -> None:
        rng = self.rng
        for entry in load_registry():
            industry, tags, indicators, tree = _SPECS[entry.seq]
            chain = _Chain(entry, industry, tags, tuple(f"I{n:03d}" for n in indicators), _parse_tree(tree))
            self.chains.append(chain)
            self.rows["chains"].append({
                "chain_id": entry.chain_id, "seq": entry.seq, "name": entry.name,
                "district": entry.district, "leader": entry.leader,
                "key": "★" if entry.key else "否", "industry": industry,
            })
        by_seq = {c.entry.seq: c for c in self.chains}

        def node_of(seq: int, product: str) -> _Node:
            chain = by_seq[seq]
            return chain.owner if product == "OWNER" else next(n for n in chain.nodes if n.product == product)

        # Slots per node: every node at least one firm; the rest spread with weights.
        slots: dict[int, int] = {}
        for chain in self.chains:
            others = chain.nodes[1:]
            low = max(12, len(others) + 3)
            total = rng.randint(42, 60) if chain.entry.key else rng.randint(low, max(low + 4, 34))
            count = {id(n): 1 for n in others}
            weights = [3.0 if n.tier == 1 else 2.0 if n.tier == 2 else 1.2 for n in others]
            for _ in range(total - 1 - len(others)):
                count[id(rng.choices(others, weights)[0])] += 1
            slots.update(count)
            slots[id(chain.owner)] = 1

        # The first slot of each shared node holds the shared firm, named after its home node.
        shared_home: dict[int, tuple[_Node, _Chain]] = {}  # id(node) -> (home node, home chain)
        for (home_seq, home_product), (other_seq, other_product) in _SHARED:
            home = (node_of(home_seq, home_product), by_seq[home_seq])
            shared_home[id(home[0])] = home
            shared_home[id(node_of(other_seq, other_product))] = home
        shared_firm: dict[int, str] = {}  # id(home node) -> enterprise id

        counter = 0
        for chain in self.chains:
            for node in chain.nodes:
                for slot in range(slots[id(node)]):
                    shared = slot == 0 and id(node) in shared_home
                    home_node, home_chain = shared_home[id(node)] if shared else (node, chain)
                    if shared and id(home_node) in shared_firm:
                        eid = shared_firm[id(home_node)]
                    else:
                        counter += 1
                        eid = f"E{counter:04d}"
                        self.new_firm(eid, home_node, home_chain)
                        if shared:
                            shared_firm[id(home_node)] = eid
                    node.firms.append(eid)
                    chain.members[eid] = node
                    self.rows["members"].append({
                        "chain_id": chain.cid, "enterprise_id": eid,
                        "role": self.zh("role", node.role, 0.15), "tier": node.tier,
                    })

    def new_firm(self, eid: str, node: _Node, home: _Chain) -> None:
        rng = self.rng
        if node.role == "owner":
            size = "large"
        else:
            size = rng.choices(("large", "medium", "small", "micro"), (0.06, 0.32, 0.42, 0.20))[0]
        if node.role == "owner" or rng.random() < 0.55:
            district = home.entry.district
        else:
            district = rng.choice(SHANGHAI_DISTRICTS)
        uscc = _uscc(rng, district) if rng.random() < 0.12 else None
        name = self.firm_name(node.word, size == "large")
        self.enterprise[eid] = {"size": size, "district": district, "name": name.removesuffix(MARK)}
        self.rows["enterprises"].append({
            "enterprise_id": eid, "name": name,
            "size": self.zh("size", size, 0.15), "district": district, "uscc": uscc,
        })

    def supplies(self) -> None:
        for chain in self.chains:
            for node in chain.nodes[1:]:
                if node.role in ("upstream", "midstream"):
                    self.link_firms(chain, node.firms, node.parent.firms, node.product)
                    if node.input is not None:
                        self.link_firms(chain, node.input.firms, node.firms, node.input.product)
                else:  # downstream buys its parent's product
                    self.link_firms(chain, node.parent.firms, node.firms, node.parent.product)

    def link_firms(self, chain: _Chain, suppliers: list[str], customers: list[str], product: str) -> None:
        rng = self.rng
        chosen: dict[str, list[str]] = {}
        for customer in customers:
            k = 2 if len(suppliers) >= 2 and rng.random() < 0.4 else 1
            chosen[customer] = rng.sample(suppliers, k)
        used = {s for picks in chosen.values() for s in picks}
        for supplier in suppliers:  # nobody in the chain without a customer
            if supplier not in used:
                chosen[rng.choice(customers)].append(supplier)
        for customer, picks in chosen.items():
            budget = rng.uniform(0.55, 1.0)
            cuts = sorted(rng.random() for _ in range(len(picks) - 1))
            parts = [b - a for a, b in zip([0.0] + cuts, cuts + [1.0])]
            for supplier, part in zip(picks, parts):
                # floor to 2 decimals so the shares of one customer never sum above 1
                share = int(budget * part * 100) / 100 if rng.random() > 0.08 else None
                if share == 0:
                    share = None
                critical = rng.choices(("是", "否", "true", "false", None), (0.18, 0.4, 0.04, 0.08, 0.3))[0]
                self.rows["supplies"].append({
                    "chain_id": chain.cid, "supplier_id": supplier, "customer_id": customer,
                    "product": product, "share": share,
                    "critical": critical,
                })

    def bodies(self) -> None:
        rng = self.rng
        for i, (name, services, accreditations, tags) in enumerate(_BODIES, 1):
            bid = f"B{i:03d}"
            codes = tuple(services.split(";"))
            self.body_services[bid] = codes
            self.body_tags[bid] = tags
            shown = ";".join(SERVICES.chinese(c) for c in codes) if rng.random() < 0.2 else services
            self.rows["support_bodies"].append({
                "body_id": bid, "name": name + MARK, "services": shown, "accreditations": accreditations or None,
            })
            self.body_name[bid] = name
        self.training_base: dict[str, str] = {}
        for j, district in enumerate(SHANGHAI_DISTRICTS, len(_BODIES) + 1):
            bid = f"B{j:03d}"
            codes = ("training", "quality_management")
            self.body_services[bid] = codes
            self.body_tags[bid] = ("training",)
            self.training_base[district] = bid
            self.body_name[bid] = f"{district}产业链质量提升培训基地"
            self.rows["support_bodies"].append({
                "body_id": bid, "name": f"{district}产业链质量提升培训基地{MARK}",
                "services": ";".join(codes), "accreditations": None,
            })

    def enables(self) -> None:
        rng = self.rng
        for chain in self.chains:
            missing = rng.choices((0, 1, 2), (0.45, 0.4, 0.15))[0]
            dropped = set(rng.sample(NQI_PILLARS, missing))
            chosen: list[str] = []
            for pillar in NQI_PILLARS:
                if pillar in dropped:
                    continue
                candidates = [b for b, s in self.body_services.items()
                              if pillar in s and not dropped & set(s) and b not in chosen]
                weights = [5.0 if set(self.body_tags[b]) & set(chain.tags) else
                           2.0 if "general" in self.body_tags[b] else 0.3 for b in candidates]
                picks = [rng.choices(candidates, weights)[0] for _ in range(1 if rng.random() < 0.7 else 2)]
                for body in picks:
                    if body in chosen:
                        continue
                    chosen.append(body)
                    # a few links leave the service blank: the body's own services apply
                    service = None if rng.random() < 0.1 else pillar
                    self.add_link(body, chain.cid, service, _iso(self.day(date(2024, 3, 1), date(2024, 9, 30))),
                                  "active")
            base = self.training_base[chain.entry.district]
            self.add_link(base, chain.cid, "training", _iso(self.day(date(2024, 3, 1), date(2024, 12, 31))),
                          "active")
            chain.enablers = chosen + [base]

    def support_firms(self) -> None:
        rng = self.rng
        for chain in self.chains:
            for eid, node in chain.members.items():
                if node.role != "owner" and rng.random() > 0.3:
                    continue
                for _ in range(2 if node.role == "owner" else 1):
                    body = rng.choice(chain.enablers)
                    service = rng.choice(self.body_services[body])
                    status = "ended" if rng.random() < 0.2 else "active"
                    if self.add_link(body, eid, service, _iso(self.day(date(2024, 1, 15), date(2025, 9, 30))),
                                     status):
                        self.supports[eid].add(service)

    def problems(self) -> None:
        rng = self.rng
        categories = ENUMS["category"].codes
        statuses = ENUMS["problem_status"].codes
        n = 0
        for chain in self.chains:
            members = list(chain.members)
            for _ in range(rng.randint(7, 10) if chain.entry.key else rng.randint(3, 7)):
                n += 1
                pid = f"P{n:04d}"
                category = categories[n - 1] if n <= len(categories) else \
                    rng.choices(categories, (4, 3, 3, 2, 2, 1.5, 1.5, 1.5, 1.2, 1))[0]
                status = statuses[n - 1] if n <= len(statuses) else \
                    rng.choices(statuses, (0.35, 0.35, 0.30))[0]
                eid = None if rng.random() < 0.05 else rng.choice(members)
                node = chain.members[eid] if eid else chain.owner
                title = rng.choice(_PROBLEM_TITLES[category]).format(p=node.product) + MARK
                self.problem_title[pid] = title.removesuffix(MARK)
                covered = self.supports.get(eid, set()) if eid else set()
                gap = status != "resolved" and rng.random() < 0.3
                if gap:
                    # a need that no SUPPORTS link of the firm covers, and nothing else will
                    options = [s for s in _NEEDS[category] if s not in covered] or \
                        [s for s in SERVICES.codes if s not in covered]
                    missing = rng.choice(options)
                    needs = [missing]
                    others = [s for s in _NEEDS[category] if s != missing]
                    if others and rng.random() < 0.4:
                        needs.append(rng.choice(others))
                else:
                    needs = list(rng.sample(_NEEDS[category], rng.randint(1, len(_NEEDS[category]))))
                raised = self.day(date(2024, 2, 1), date(2025, 10, 31))
                resolved = None
                if status == "resolved":
                    resolved = min(raised + timedelta(days=rng.randint(20, 240)), date(2025, 11, 30))
                problem = {"id": pid, "enterprise": eid, "status": status, "needs": needs, "gap": gap,
                           "node": node, "raised": raised, "resolved": resolved}
                chain.problems.append(problem)
                extra = self.extra
                deadline = resolved or raised + timedelta(days=extra.randint(90, 400))
                owner_unit = (f"{self.enterprise[eid]['name']}质量部" if eid and extra.random() < 0.7
                              else chain.entry.leader)
                self.rows["problems"].append({
                    "measures": _MEASURES[category] + MARK, "owner_unit": owner_unit, "deadline": _iso(deadline),
                    "problem_id": pid, "chain_id": chain.cid, "enterprise_id": eid, "title": title,
                    "category": self.zh("category", category, 0.1),
                    "severity": self.zh("severity", rng.choices(("high", "medium", "low"), (0.3, 0.45, 0.25))[0],
                                        0.2),
                    "status": self.zh("problem_status", status, 0.15),
                    "needs": ";".join(needs), "raised_on": _iso(raised),
                    "resolved_on": _iso(resolved) if resolved else None,
                })
                self.address(chain, problem, covered)

    def address(self, chain: _Chain, problem: dict, covered: set[str]) -> None:
        """ADDRESSES links: every need of an ordinary problem covered, a gap problem's first need never."""
        rng = self.rng
        needs = problem["needs"][1:] if problem["gap"] else problem["needs"]
        since = _iso(problem["raised"] + timedelta(days=rng.randint(3, 40)))
        status = "ended" if problem["status"] == "resolved" and rng.random() < 0.6 else "active"
        for need in needs:
            if need in covered and rng.random() < 0.7:
                continue
            pool = [b for b in chain.enablers if need in self.body_services[b]] or \
                [b for b, s in self.body_services.items() if need in s]
            body = rng.choice(pool)
            # a blank service means "all the body's services" — never on a gap problem
            blank = not problem["gap"] and rng.random() < 0.3
            self.add_link(body, problem["id"], None if blank else need, since, status)

    def projects(self) -> None:
        rng = self.rng
        statuses = ENUMS["project_status"].codes
        n = 0
        for chain in self.chains:
            lead_pool = [e for e, node in chain.members.items()
                         if node.role == "upstream" and node.tier == 1 and self.enterprise[e]["size"] != "micro"]
            for _ in range(rng.randint(2, 4) if chain.entry.key else rng.randint(1, 3)):
                n += 1
                kid = f"K{n:03d}"
                status = statuses[n - 1] if n <= len(statuses) else \
                    rng.choices(statuses, (0.25, 0.5, 0.25))[0]
                ordinary = [p for p in chain.problems if not p["gap"]]
                wanted = {"planned": ("open",), "active": ("open", "in_progress"), "done": ("resolved",)}[status]
                pool = [p for p in ordinary if p["status"] in wanted] or \
                    ([p for p in ordinary if p["status"] != "resolved"] if status != "done" else [])
                tackles = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                lead = chain.owner.firms[0] if rng.random() < 0.75 or not lead_pool else rng.choice(lead_pool)
                focus = tackles[0]["node"] if tackles else chain.members[lead]
                title = rng.choice(_PROJECT_TITLES).format(p=focus.product, i=chain.industry) + MARK
                if status == "done":
                    due, progress = self.day(date(2025, 1, 31), date(2025, 11, 30)), 1.0
                elif status == "active":
                    due, progress = self.day(date(2025, 9, 30), date(2026, 12, 31)), \
                        round(rng.uniform(0.15, 0.9), 2)
                else:
                    due, progress = self.day(date(2026, 3, 31), date(2026, 12, 31)), rng.choice((0.0, 0.0, 0.05))
                chain.projects.append(kid)
                self.rows["projects"].append({
                    "project_id": kid, "chain_id": chain.cid, "title": title, "lead_id": lead,
                    "tackles": ";".join(p["id"] for p in tackles) or None,
                    "status": self.zh("project_status", status, 0.15),
                    "due": _iso(due), "progress": progress,
                })
                for body in rng.sample(chain.enablers, min(len(chain.enablers), rng.randint(1, 2))):
                    service = None if rng.random() < 0.3 else rng.choice(self.body_services[body])
                    self.add_link(body, kid, service, _iso(self.day(date(2024, 6, 1), date(2025, 6, 30))),
                                  "ended" if status == "done" else "active")

    def policy_tools(self) -> None:
        rng = self.rng
        kinds = ENUMS["kind"].codes
        n = 0

        def tool(name: str, kind: str, issuer: str, targets: Iterable[str]) -> None:
            nonlocal n
            n += 1
            self.rows["policy_tools"].append({
                "tool_id": f"T{n:03d}", "name": name + MARK, "kind": self.zh("kind", kind, 0.5),
                "issuer": issuer, "applies_to": ";".join(targets) or None,
            })

        key_chains = [c for c in self.chains if c.entry.key]
        tool("上海市产业链供应链质量标杆遴选", "showcase", _CITY_ISSUER, [c.cid for c in key_chains])
        tool("市级产业质量攻关项目支持", "incentive", _CITY_ISSUER,
             [c.owner.firms[0] for c in key_chains] + [k for c in key_chains for k in c.projects[:1]])
        tool("重点工业产品质量安全监管目录", "constraint", _CITY_ISSUER, [c.cid for c in self.chains])
        for district in SHANGHAI_DISTRICTS:
            chains = [c for c in self.chains if c.entry.district == district]
            if not chains:
                continue
            kind = rng.choice(kinds)
            name = {"showcase": "产业链质量联动标杆培育计划", "incentive": "质量提升专项扶持资金",
                    "constraint": "重点产品质量安全底线清单"}[kind]
            tool(district + name, kind, f"{district}市场监管局", [c.cid for c in chains])
        for chain in self.chains:
            kind = rng.choice(kinds)
            targets = [chain.cid]
            if rng.random() < 0.5:
                targets.append(chain.owner.firms[0])
            if chain.projects and rng.random() < 0.5:
                targets.append(rng.choice(chain.projects))
            tool(rng.choice(_TOOL_NAMES[kind]).format(x=chain.industry), kind,
                 f"{chain.entry.district}市场监管局", targets)

    def indicators_and_readings(self) -> None:
        rng = self.rng
        for number, (name, unit, direction, standard, national, industry, _) in _INDICATORS.items():
            self.rows["indicators"].append({
                "indicator_id": f"I{number:03d}", "name": name + MARK, "unit": unit,
                "direction": self.zh("direction", direction, 0.3), "standard": standard,
                "national_limit": national, "industry_limit": industry,
            })
        seen: set[tuple] = set()
        for chain in self.chains:
            owner = chain.owner.firms[0]
            others = [e for e in chain.members if e != owner]
            reporters = [owner] + [e for e in others if rng.random() < 0.3]
            for eid in reporters:
                is_owner = eid == owner
                for ind in chain.indicators:
                    if (eid, ind) in seen:  # a firm on two chains reports each indicator once
                        continue
                    seen.add((eid, ind))
                    weights = (0.15, 0.35, 0.5) if is_owner else (0.35, 0.45, 0.2)
                    later = rng.choices(("below_national", "meets_national", "beats_industry"), weights)[0]
                    earlier = later
                    if later != "below_national" and rng.random() < 0.4:
                        earlier = {"meets_national": "below_national", "beats_industry": "meets_national"}[later]
                    number = int(ind[1:])
                    values = [self.value(number, earlier), self.value(number, later)]
                    better_first = (values[0] > values[1]) == (_INDICATORS[number][2] == "higher")
                    if earlier == later and better_first and rng.random() < 0.8:
                        values.reverse()  # within one band, firms mostly improve year on year
                    for year, value in zip((2024, 2025), values):
                        self.readings[(eid, ind, year)] = value
                        self.rows["readings"].append({
                            "enterprise_id": eid, "indicator_id": ind, "year": year, "value": value,
                        })
            for ind in chain.indicators:
                years = (2025, 2026) if chain.entry.key or rng.random() < 0.5 else (2025,)
                for year in years:
                    self.rows["targets"].append({
                        "chain_id": chain.cid, "indicator_id": ind, "year": year,
                        "value": self.target(int(ind[1:]), self.readings.get((owner, ind, 2025)), year),
                    })

    def target(self, number: int, reading: float | None, year: int) -> float:
        """A chain's target near its owner's 2025 reading: for 2025 mostly at or a little worse than
        the reading (met), sometimes a little better (missed); for 2026 a little better still."""
        rng = self.extra
        _, _, direction, _, national, industry, decimals = _INDICATORS[number]
        if reading is None:  # the owner reports this indicator on another chain: aim at the industry limit
            return float(industry)
        step = max(abs(industry - national) * rng.uniform(0.03, 0.15), 10 ** -decimals)
        better = 1 if direction == "higher" else -1
        met = year == 2025 and rng.random() < _TARGET_MET
        value = round(reading - better * step, decimals) if met else round(reading + better * step, decimals)
        if not met and value == reading:  # rounding ate the step
            value = round(reading + better * 10 ** -decimals, decimals)
        # no chain aims below the national standard: an owner under it is set to reach it
        value = max(value, national) if direction == "higher" else min(value, national)
        value = min(value, _BEST[number]) if direction == "higher" else max(value, _BEST[number])
        return float(max(value, 0.0))

    def value(self, number: int, status: str) -> float:
        """A reading in the requested band against the indicator's limits (direction-aware), of
        the order the industry reaches: between a little worse than national and its best (:data:`_BEST`)."""
        rng = self.rng
        _, unit, direction, _, national, industry, decimals = _INDICATORS[number]
        step = 10 ** -decimals
        gap = abs(industry - national)
        best = _BEST[number]
        for _ in range(100):
            if direction == "higher":
                if status == "below_national":
                    v = national - min(gap, national * 0.15) * rng.uniform(0.1, 1.0)
                elif status == "meets_national":
                    v = national + gap * rng.uniform(0.0, 1.0)
                else:
                    v = industry + (best - industry) * rng.uniform(0.1, 0.9)
            else:
                if status == "below_national":
                    v = national + min(gap, national * 0.3) * rng.uniform(0.1, 1.0)
                elif status == "meets_national":
                    v = industry + gap * rng.uniform(0.0, 1.0)
                else:
                    v = industry - (industry - best) * rng.uniform(0.1, 0.9)
            v = round(v, decimals)
            if reading_status(v, direction, national, industry) == status and v >= 0:
                return float(v)
        # rounding kept missing the band (only possible for coarse decimals): take its edge
        edge = {"below_national": national - step if direction == "higher" else national + step,
                "meets_national": national,
                "beats_industry": industry + step if direction == "higher" else industry - step}[status]
        return float(round(edge, decimals))


# --------------------------------------------------------------------------- public API

def generate_demo(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """The demo data set: one raw intake DataFrame per sheet of :data:`schema.SHEET_ORDER`.

    Columns are exactly the contract's; cells hold what an analyst would type (codes or
    Chinese words, ``;``-joined lists, ``YYYY-MM-DD`` dates, None for blanks). The same
    seed always gives identical tables.

    >>> t = generate_demo()
    >>> list(t) == list(SHEET_ORDER), t["members"].query("chain_id == 'SH02'").shape[0] >= 10
    (True, True)
    """
    return _Builder(seed).build()


def summarize(tables: dict[str, pd.DataFrame]) -> str:
    """A short per-chain text summary of raw demo tables (for eyeballing a seed).

    >>> print(summarize(generate_demo()).splitlines()[0])  # doctest: +ELLIPSIS
    chain ...
    """
    role = ENUMS["role"].parse
    size = {r.enterprise_id: ENUMS["size"].parse(r.size) for r in tables["enterprises"].itertuples()}
    members = tables["members"]
    problems = tables["problems"]
    lines = [f"{'chain':5} {'district':6} {'firms':>5} {'sme':>4} {'up':>3} {'mid':>3} {'down':>4} "
             f"{'tiers':>5} {'sup':>4} {'prob o/p/r':>10} {'proj':>4} {'bodies':>6}  industry / owner"]
    names = dict(zip(tables["enterprises"].enterprise_id, tables["enterprises"].name))
    links = tables["support_links"]
    for c in tables["chains"].itertuples():
        m = members[members.chain_id == c.chain_id]
        roles = [role(r) for r in m.role]
        owner = m.enterprise_id[[r == "owner" for r in roles]].iloc[0]
        up_tiers = max(t for r, t in zip(roles, m.tier) if r == "upstream")
        down_tiers = max(t for r, t in zip(roles, m.tier) if r == "downstream")
        p = problems[problems.chain_id == c.chain_id]
        st = [ENUMS["problem_status"].parse(s) for s in p.status]
        lines.append(
            f"{c.chain_id:5} {c.district:6} {len(m):5d} {sum(size[e] != 'large' for e in m.enterprise_id):4d} "
            f"{roles.count('upstream'):3d} {roles.count('midstream'):3d} {roles.count('downstream'):4d} "
            f"{up_tiers:>3}/{down_tiers:<1} {int((tables['supplies'].chain_id == c.chain_id).sum()):4d} "
            f"{st.count('open'):>4}/{st.count('in_progress')}/{st.count('resolved')} "
            f"{int((tables['projects'].chain_id == c.chain_id).sum()):4d} "
            f"{int((links.target_id == c.chain_id).sum()):6d}  {c.industry} / {names[owner]}")
    lines.append("totals: " + ", ".join(f"{name} {len(frame)}" for name, frame in tables.items()))
    return "\n".join(lines)


def split_by_district(tables: dict[str, "pd.DataFrame"]) -> dict[str, dict[str, "pd.DataFrame"]]:
    """The demo's tables as the 16 district bureaus would keep them: one set per district.

    A district's workbook holds its chains and everything of theirs (members, supplies,
    problems, projects, cases, targets, support links to them, their members' readings),
    and every firm, body, indicator or policy tool those rows name, so each workbook is
    valid on its own. A firm on chains of two districts (and its readings and support
    links) is in both, written the same way; a policy tool lists in each district only
    the targets there. Anything no district names (a body with no links yet) goes to the
    district of the first chain. Read together, the 16 give the city's data set again.
    """
    import pandas as pd

    from .intake import split_list
    from .schema import ID_SHEETS, SHEETS

    def refs(value) -> list[str]:
        if value is None or (isinstance(value, float) and value != value):
            return []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else split_list(value)

    chain_district = dict(zip(tables["chains"]["chain_id"], tables["chains"]["district"]))
    districts = list(dict.fromkeys(tables["chains"].sort_values("seq")["district"]))
    member_districts: dict[str, set[str]] = {}
    for chain_id, firm in zip(tables["members"]["chain_id"], tables["members"]["enterprise_id"]):
        member_districts.setdefault(firm, set()).add(chain_district[chain_id])
    owner_chain = {}
    for sheet in ("problems", "projects", "cases"):
        id_column = SHEETS[sheet].id_column
        if sheet in tables:
            owner_chain.update(zip(tables[sheet][id_column], tables[sheet]["chain_id"]))

    def districts_of(target: str) -> set[str]:
        if target in chain_district:
            return {chain_district[target]}
        if target in owner_chain:
            return {chain_district[owner_chain[target]]}
        return member_districts.get(target, set())

    out = {d: {} for d in districts}
    for name, frame in tables.items():
        records = frame.to_dict("records")
        for d in districts:
            out[d][name] = []
        if name == "policy_tools":
            continue
        for r in records:
            if "chain_id" in r:
                where = {chain_district[r["chain_id"]]}
            elif name == "support_links":
                where = districts_of(r["target_id"])
            elif name == "readings":
                where = member_districts.get(r["enterprise_id"], set())
            else:
                continue  # entity sheets: by what names them, below
            for d in where:
                out[d][name].append(r)
    for r in tables["policy_tools"].to_dict("records"):
        targets = refs(r["applies_to"])
        for d in districts:
            mine = [t for t in targets if d in districts_of(t)]
            if mine:
                out[d]["policy_tools"].append({**r, "applies_to": "；".join(mine)})

    # Every entity a district's rows name is listed there too (to a fixed point: a case may
    # name a body, a problem its firm).
    by_id = {(sheet, r[SHEETS[sheet].id_column]): r for sheet in ID_SHEETS.values()
             if sheet in tables for r in tables[sheet].to_dict("records")}
    kind_sheet = {i: sheet for sheet, i in by_id}
    placed: set[tuple[str, str]] = set()
    for d in districts:
        have = {(name, r[SHEETS[name].id_column]) for name in ID_SHEETS.values() for r in out[d].get(name, ())}
        todo = [r for name in out[d] for r in out[d][name]]
        while todo:
            r = todo.pop()
            for column, value in r.items():
                for target in refs(value) if column not in ("name", "title", "summary") else ():
                    sheet_of = kind_sheet.get(target)
                    if sheet_of is None or (sheet_of, target) in have:
                        continue
                    have.add((sheet_of, target))
                    row = by_id[(sheet_of, target)]
                    out[d][sheet_of].append(row)
                    todo.append(row)
        placed |= have
    first = districts[0]
    for key, row in by_id.items():
        if key not in placed:
            out[first][key[0]].append(row)
    # Rows in the city's order, so each district's workbook reads like a part of the city's.
    def row_key(r: dict) -> tuple:
        return tuple(map(str, r.values()))

    ranks = {name: {row_key(r): i for i, r in enumerate(frame.to_dict("records"))} for name, frame in tables.items()}
    result = {}
    for d in districts:
        result[d] = {}
        for name, frame in tables.items():
            rows = out[d][name]
            if name != "policy_tools":  # the same row reached twice is listed once, in the city's order
                rank = ranks[name]
                rows = sorted({row_key(r): r for r in rows}.values(), key=lambda r: rank.get(row_key(r), 0))
            result[d][name] = pd.DataFrame(rows, columns=frame.columns)
    return result


@dataclass
class DemoResult:
    graph: "nx.MultiDiGraph"
    workbook: Path
    outputs: dict[str, Path]  # what else was written, by a label for people


def write_demo(out_dir="exports/demo", seed: int = DEMO_SEED, maps: bool = True, progress: bool = False, *,
               force: bool = False, by_district: bool = False) -> DemoResult:
    """Write the demo workbook, read it back through the intake exactly as an analyst's
    file is read, and write its maps, three lists and annual report beside it.

    With ``by_district`` the same data is also written as the 16 district bureaus would
    keep it, one workbook per district in ``districts/`` (:func:`split_by_district`):
    read together they give the same graph as the city workbook.

    The whole folder is built in a staging folder and moved into place at the end, so
    ``out_dir`` holds the previous complete demo or the new one, never a mix. An earlier
    demo there is replaced only with ``force`` (and other files in ``out_dir`` stay).

    >>> result = write_demo("/tmp/qmap-demo", maps=False)      # doctest: +SKIP
    >>> result.workbook.name                                    # doctest: +SKIP
    'shanghai-demo.xlsx'
    """
    from .files import output_folder
    from .intake import read_dataset
    from .lists import CITY_LISTS, write_lists
    from .model import build_graph
    from .report import write_report
    from .workbook import write_workbook

    parts = {"工作簿 workbook": "shanghai-demo.xlsx", "质量图谱 maps (open in a browser)": "maps/index.html",
             "三张清单 lists": f"lists/{CITY_LISTS}", "年度总结 report": f"report/report-{DEMO_YEAR}.html"}
    if not maps:
        del parts["质量图谱 maps (open in a browser)"]
    if by_district:
        parts["各区工作簿 district workbooks (16)"] = "districts"
    with output_folder(out_dir, key="demo", force=force) as out:
        for name in ("maps", "lists", "report") + (("districts",) if by_district else ()):
            out.path(name)  # an earlier demo without --force stops here, before any work
        tables = generate_demo(seed)
        staged = write_workbook(tables, out.path("shanghai-demo.xlsx"))
        if by_district:
            for district, part in split_by_district(tables).items():
                write_workbook(part, out.path("districts", f"{district}.xlsx"))
        graph = build_graph(read_dataset(staged))
        if maps:
            from .maps import write_maps

            write_maps(graph, out.dir / "maps", progress=progress, year=DEMO_YEAR)
        write_lists(graph, out.dir / "lists")
        write_report(graph, DEMO_YEAR, out.dir / "report")
    outputs = {label: out.final(*where.split("/")) for label, where in parts.items()}
    workbook = outputs["工作簿 workbook"]
    graph.graph["source"] = str(workbook)  # read from the staging copy, which is now in place
    graph.graph["source_paths"] = {workbook.name: str(workbook)}
    return DemoResult(graph, workbook, outputs)


if __name__ == "__main__":  # python -m graphmodel.demo [seed]
    print(summarize(generate_demo(int(sys.argv[1]) if len(sys.argv) > 1 else DEMO_SEED)))
