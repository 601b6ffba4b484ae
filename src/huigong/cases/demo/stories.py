"""Cases of the demo county: the partner departments at 祁东县总工会 and about fifty
demands, help requests and rights cases of the last three months, each with the steps
its handlers took.

A story's dates are counted in working days: ``age`` is how many working days before
today the case came in, a step's ``day`` how many working days after that it happened
(always fewer than ``age``, so nothing is dated today or later). The loader
(``huigong.cases.demo.loader``) plays the stories through the case services.

A few stories use facts reported from 祁东县 (肖华清 and twelve fellow villagers owed
115,000 yuan by a vanished contractor; a joint inspection after which 2,254 labour
contracts were signed; pig-farming classes in 流泉村); the wording and everything else is
made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from huigong.cases.models import (
    CaseKind,
    Channel,
    Complexity,
    Outcome,
    Satisfaction,
    Urgency,
)
from huigong.partners.models import DepartmentKind

#: Stands for the demo worker 肖华清 (his username is built from his phone number).
WORKER = "worker"


@dataclass(frozen=True)
class DemoDepartment:
    name: str
    kind: str
    response_days: int
    contact_name: str
    contact_phone: str


#: Partner departments, registered at the county federation: every township below it
#: may refer cases to them (``Department.objects.usable_at``).
DEPARTMENTS: list[DemoDepartment] = [
    DemoDepartment(
        "县人社局劳动保障监察大队",
        DepartmentKind.LABOUR_INSPECTION,
        5,
        "何志明",
        "0734-6212345",
    ),
    DemoDepartment("县司法局", DepartmentKind.JUSTICE, 5, "邹建平", "0734-6223456"),
    DemoDepartment("县人民法院", DepartmentKind.COURT, 10, "许文华", "0734-6234567"),
    DemoDepartment("县民政局", DepartmentKind.CIVIL_AFFAIRS, 5, "贺秀英", "0734-6245678"),
    DemoDepartment("县住建局", DepartmentKind.HOUSING, 5, "龙德林", "0734-6256789"),
    DemoDepartment("县公安局", DepartmentKind.POLICE, 3, "段志强", "0734-6267890"),
]

#: Department → the demo accounts that answer its referrals on the workbench.
DEPARTMENT_MEMBERS: dict[str, list[str]] = {"县人社局劳动保障监察大队": ["partner"]}

#: The department short names the stories refer cases to.
LABOUR = "县人社局劳动保障监察大队"
JUSTICE = "县司法局"
COURT = "县人民法院"
CIVIL = "县民政局"
HOUSING = "县住建局"
POLICE = "县公安局"


@dataclass(frozen=True)
class Step:
    """One action on a case: ``action`` names the service (see the loader)."""

    action: str
    day: int
    by: str
    text: str = ""
    outcome: str = ""
    amount: str | None = None
    workers: int | None = None
    satisfaction: str = ""
    department: str = ""
    assignee: str = ""
    replied_by: str = ""
    method: str = ""  # contact: phone, visit, meeting, message
    contact: str = ""  # contact: whom the handler talked to
    into: str = ""  # merge: the title of the earlier case this one duplicates


def accept(day: int, by: str, assignee: str = "") -> Step:
    return Step("accept", day, by, assignee=assignee)


def refer(day: int, by: str, department: str, note: str) -> Step:
    return Step("refer", day, by, text=note, department=department)


def reply(day: int, by: str, text: str, replied_by: str) -> Step:
    return Step("reply", day, by, text=text, replied_by=replied_by)


def contact(day: int, by: str, whom: str, note: str, method: str = "phone") -> Step:
    return Step("contact", day, by, text=note, method=method, contact=whom)


def merge(day: int, by: str, into: str, note: str) -> Step:
    return Step("merge", day, by, text=note, into=into)


def resolve(
    day: int, by: str, outcome: str, text: str, amount: str | None = None, workers=None
) -> Step:
    return Step("resolve", day, by, text=text, outcome=outcome, amount=amount, workers=workers)


def rate(day: int, by: str, satisfaction: str, note: str = "") -> Step:
    return Step("rate", day, by, text=note, satisfaction=satisfaction)


def close(day: int, by: str, note: str = "") -> Step:
    return Step("close", day, by, text=note)


def escalate(day: int, by: str, reason: str) -> Step:
    return Step("escalate", day, by, text=reason)


def supervise(day: int, by: str, comment: str) -> Step:
    return Step("supervise", day, by, text=comment)


def answer(day: int, by: str, response: str) -> Step:
    return Step("answer", day, by, text=response)


@dataclass(frozen=True)
class Story:
    """A case as it came in (who took it, where, through which channel, about whom) and
    the steps taken on it since."""

    by: str  # the demo account taking it in, or WORKER on the portal
    channel: str
    category: str  # CaseCategory code
    kind: str
    title: str
    description: str
    age: int  # working days between receipt and today
    at: str = ""  # receiving organization; default: where ``by`` holds the role
    unit: str = ""  # the grassroots union whose registered workers are the applicants
    persons: int = 1
    with_worker: bool = False  # 肖华清 is the first applicant
    employer: str = ""  # employer as a demo organization (its union)
    employer_name: str = ""  # employer as free text
    amount: str | None = None
    complexity: str = Complexity.ORDINARY
    urgency: str = Urgency.NORMAL
    grid: str = ""
    time: str = "09:30"
    steps: tuple[Step, ...] = field(default_factory=tuple)


S = Story
OK, PART, NO, OUT, ADVICE, HELP = (
    Outcome.IN_FAVOUR,
    Outcome.PARTIALLY,
    Outcome.NOT_SUPPORTED,
    Outcome.REFERRED_OUT,
    Outcome.ADVICE_GIVEN,
    Outcome.HELP_GIVEN,
)
SATISFIED, BASICALLY, UNSATISFIED = (
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY,
    Satisfaction.UNSATISFIED,
)
WALK_IN, HOTLINE, PORTAL, API, GRID, DEPUTY, LETTER = (
    Channel.WALK_IN,
    Channel.HOTLINE,
    Channel.PORTAL,
    Channel.API,
    Channel.GRID_OFFICER,
    Channel.DEPUTY_REFERRAL,
    Channel.LETTER,
)
DEMAND, HELP_KIND, RIGHTS, CONSULT, SUGGEST = (
    CaseKind.DEMAND,
    CaseKind.HELP,
    CaseKind.RIGHTS,
    CaseKind.CONSULTATION,
    CaseKind.SUGGESTION,
)

XINFA = "祁东县新发食品有限公司工会"
DAYLILY = "祁东县黄土铺镇黄花菜专业合作社工会"
HONGDA = "祁东县宏达建筑劳务有限公司工会"
XINYUAN = "祁东县白地市镇鑫源建材有限公司工会"
PIG_COOP = "祁东县白地市镇流泉生猪养殖专业合作社工会"
COUNTY = "祁东县总工会"

# -- 黄土铺镇: the station (肖丽娟), the township cadre (罗芳), the grid officer (邓志军)
# and the worker 肖华清 on the portal ------------------------------------------------------

HUANGTUPU_STORIES: list[Story] = [
    S(
        "station",
        API,
        "wage_arrears",
        RIGHTS,
        "四马堂村13名建筑工人在深圳工地被欠薪11.5万元",
        "肖华清等13名四马堂村村民在深圳一处工地做建筑工,工程快结束时包工头联系不上,"
        "13人工资合计11.5万元没有结清,回乡路费也没有着落,通过镇工会微信公众号求助。",
        age=58,
        unit="四马堂村工会",
        persons=12,
        with_worker=True,
        employer_name="深圳某建筑劳务班组(包工头已失联)",
        amount="115000",
        complexity=Complexity.COMPLEX,
        urgency=Urgency.URGENT,
        time="08:40",
        steps=(
            accept(0, "huangtupu", assignee="station"),
            refer(
                1,
                "huangtupu",
                LABOUR,
                "工人在外省务工被欠薪,请协调深圳当地劳动保障监察部门督促总包单位清偿。",
            ),
            reply(
                6,
                "station",
                "已与深圳当地劳动监察部门联合约谈总包单位,总包单位同意先行垫付班组工资。",
                "何志明(县劳动保障监察大队)",
            ),
            resolve(
                9,
                "huangtupu",
                OK,
                "镇劳务站工作人员和站内律师志愿者赴深圳,会同当地劳动部门督促总包单位垫付,"
                "13名工人被欠工资11.5万元全部追回,已分别转入本人账户。",
                amount="115000",
                workers=13,
            ),
            rate(11, WORKER, SATISFIED, "工钱都拿到了,感谢工会帮忙。"),
            close(13, "huangtupu"),
        ),
    ),
    S(
        WORKER,
        PORTAL,
        "skills_training",
        DEMAND,
        "想报名参加挖掘机操作培训",
        "农闲在家,想学挖掘机操作,拿到证以后好在附近工地找活干,请问镇上什么时候开班。",
        age=1,
        time="20:10",
    ),
    S(
        WORKER,
        PORTAL,
        "social_insurance",
        CONSULT,
        "灵活就业人员养老保险如何续缴",
        "以前在外地工地干活时断缴了几年养老保险,现在回乡打零工,想问以灵活就业身份怎么续缴。",
        age=4,
        time="21:05",
        steps=(accept(1, "station"),),
    ),
    S(
        WORKER,
        PORTAL,
        "hardship_help",
        HELP_KIND,
        "母亲住院医疗费负担重,申请帮扶",
        "母亲因病住院,自付医疗费一万多元,家里只有我一个劳动力,申请工会困难帮扶。",
        age=36,
        time="19:40",
        steps=(
            accept(1, "station"),
            resolve(
                4,
                "huangtupu",
                HELP,
                "经入户核实,按规定发放困难职工帮扶金3000元,并协助申请医疗救助。",
            ),
            rate(5, WORKER, SATISFIED),
            close(6, "station"),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "新发食品包装车间加班费未足额发放",
        "包装车间旺季连续加班两个月,加班费按基本工资折算,差额约3600元。",
        age=41,
        unit=XINFA,
        employer=XINFA,
        amount="3600",
        time="10:15",
        steps=(
            accept(0, "station"),
            resolve(
                3,
                "station",
                PART,
                "与企业工会、人力部门核对考勤,企业补发加班费差额2800元,其余争议已向职工解释。",
                amount="2800",
            ),
            rate(5, "station", BASICALLY, "电话回访,职工表示基本满意。"),
            close(7, "huangtupu"),
        ),
    ),
    S(
        "grid",
        GRID,
        "hardship_help",
        HELP_KIND,
        "大荣村一组老职工因病致困",
        "走访发现大荣村一组一名老职工患慢性病多年,家中收入微薄,孩子在读高中。",
        age=31,
        unit="大荣村工会",
        grid="大荣村一组微网格",
        time="15:20",
        steps=(
            accept(0, "huangtupu", assignee="grid"),
            resolve(4, "grid", HELP, "发放困难职工帮扶金2000元,孩子纳入金秋助学名单。"),
            rate(6, "grid", SATISFIED),
            close(8, "huangtupu"),
        ),
    ),
    S(
        "grid",
        GRID,
        "work_injury",
        RIGHTS,
        "宏达建筑劳务工人工地摔伤,工伤认定受阻",
        "宏达建筑劳务一名钢筋工在工地从脚手架摔下致腿部骨折,企业以临时工为由不愿申报工伤。",
        age=16,
        unit=HONGDA,
        employer=HONGDA,
        grid="四马堂村西微网格",
        complexity=Complexity.DIFFICULT,
        time="11:05",
        steps=(
            accept(1, "county"),
            refer(
                2,
                "county",
                LABOUR,
                "企业未为该职工申报工伤,请依法督促企业在时限内提出工伤认定申请。",
            ),
            reply(
                8,
                "county",
                "已向企业下达限期改正指令书,企业已提交工伤认定申请材料。",
                "何志明(县劳动保障监察大队)",
            ),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "镇安置房项目木工班组工资未结",
        "宏达建筑劳务承接的镇安置房项目木工班组5人工资8600元未按月发放。",
        age=4,
        unit=HONGDA,
        persons=5,
        employer=HONGDA,
        amount="8600",
        time="09:10",
        steps=(
            accept(0, "station"),
            refer(
                1,
                "huangtupu",
                HOUSING,
                "请核查该项目农民工工资专用账户和工资保证金,督促总包单位按月足额支付。",
            ),
        ),
    ),
    S(
        "huangtupu",
        DEPUTY,
        "wage_arrears",
        RIGHTS,
        "黄花菜合作社采摘季临时工工资拖欠",
        "镇人大代表转来:黄花菜采摘季结束一个多月,合作社仍欠6名采摘工工资共2.4万元。",
        age=14,
        unit=DAYLILY,
        persons=6,
        employer=DAYLILY,
        amount="24000",
        time="14:30",
        steps=(
            accept(0, "huangtupu"),
            refer(
                1,
                "huangtupu",
                LABOUR,
                "合作社以销售回款慢为由拖欠采摘工工资,请依法督促清偿。",
            ),
            supervise(
                12,
                "county",
                "该案转办后已超期未获答复,请镇工会主动对接劳动监察大队,两日内报告进展。",
            ),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "labour_contract",
        RIGHTS,
        "新发食品新招员工入职两月未签劳动合同",
        "新发食品今年新招的一批员工入职已满两个月,企业一直没有签订书面劳动合同。",
        age=9,
        unit=XINFA,
        persons=3,
        employer=XINFA,
        complexity=Complexity.DIFFICULT,
        time="10:40",
        steps=(
            accept(0, "huangtupu"),
            supervise(5, "county", "涉及人数较多,请抓紧督促企业补签劳动合同并报告进展。"),
            answer(6, "huangtupu", "已约谈企业负责人,企业承诺本周内与全部新员工补签劳动合同。"),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "employment",
        HELP_KIND,
        "大荣村返乡妇女求职",
        "孩子上学后想就近找份工作,希望在镇上或附近企业上班。",
        age=8,
        unit="大荣村工会",
        time="09:50",
        steps=(
            accept(0, "station"),
            resolve(2, "station", HELP, "已推荐到县城一家服装企业面试。"),
            rate(4, "station", UNSATISFIED, "岗位在县城,离家太远,希望推荐镇上的岗位。"),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "宏达建筑劳务泥工工资结算少算",
        "泥工班组长结算时少算了一个月工资,差额5200元,多次找企业未果。",
        age=25,
        unit=HONGDA,
        employer=HONGDA,
        amount="5200",
        time="11:30",
        steps=(
            accept(0, "station"),
            resolve(3, "station", PART, "企业同意先付3000元,余款待工程结算后支付。", "3000"),
            rate(5, "station", UNSATISFIED, "余款没有确定日期,不满意。"),
            resolve(
                8,
                "huangtupu",
                OK,
                "再次约谈企业,剩余2200元当场结清,5200元全部到位。",
                amount="5200",
            ),
            rate(9, "station", SATISFIED),
            close(10, "huangtupu"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "social_insurance",
        DEMAND,
        "新发食品未给试用期员工缴纳社保",
        "12351来电:在新发食品上班三个月,试用期内企业没有缴纳社会保险。",
        age=3,
        unit=XINFA,
        employer=XINFA,
        time="16:20",
    ),
    S(
        "grid",
        GRID,
        "legal_advice",
        CONSULT,
        "老街商铺店员咨询未签合同如何维权",
        "老街一家商铺的店员干了半年没签劳动合同,咨询能否要求双倍工资。",
        age=20,
        unit="四马堂村工会",
        grid="老街微网格",
        time="15:45",
        steps=(
            accept(0, "grid"),
            resolve(1, "grid", ADVICE, "已解释未签书面劳动合同的二倍工资规定和申请仲裁的时效。"),
            rate(2, "grid", BASICALLY),
            close(3, "grid"),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "counselling",
        HELP_KIND,
        "卫生院护士长期夜班压力大",
        "卫生院一名护士长期夜班,近来失眠焦虑,希望得到心理疏导。",
        age=10,
        unit="黄土铺镇卫生院工会",
        time="17:10",
        steps=(
            accept(0, "station"),
            resolve(2, "station", HELP, "安排心理咨询志愿者面谈两次,并建议单位调整排班。"),
            rate(3, "station", SATISFIED),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "daily_services",
        DEMAND,
        "中心学校教职工子女暑期托管",
        "中心学校几位老师反映暑期无人照看孩子,希望工会协调托管服务。",
        age=6,
        unit="黄土铺镇中心学校工会",
        time="10:05",
        steps=(
            accept(0, "station"),
            resolve(2, "station", HELP, "已联系镇社工站开设暑期托管班,每周一至周五开放。"),
        ),
    ),
    S(
        "grid",
        GRID,
        "occupational_safety",
        RIGHTS,
        "新发食品冷库作业无防寒防护用品",
        "冷库搬运工反映长时间在低温环境作业,企业未配发防寒服和手套。",
        age=2,
        unit=XINFA,
        employer=XINFA,
        grid="新街微网格",
        time="14:15",
    ),
    S(
        "station",
        WALK_IN,
        "employment",
        HELP_KIND,
        "大荣村村民农闲想找临时工",
        "冬季农闲,想找一份临时工作补贴家用,最好包吃包住。",
        age=50,
        unit="大荣村工会",
        time="09:20",
        steps=(
            accept(0, "station"),
            resolve(
                2,
                "station",
                HELP,
                "推荐到新发食品公司上班,包吃包住,月工资两千多元,已于下周一入职。",
            ),
            rate(3, "station", SATISFIED, "很快就找到了工作。"),
            close(5, "station"),
        ),
    ),
    S(
        "station",
        WALK_IN,
        "labour_contract",
        RIGHTS,
        "宏达建筑劳务被辞退未付经济补偿",
        "在宏达建筑劳务工作四年,被口头辞退,企业不支付经济补偿。",
        age=38,
        unit=HONGDA,
        employer=HONGDA,
        amount="16000",
        complexity=Complexity.DIFFICULT,
        time="10:50",
        steps=(
            accept(0, "huangtupu", assignee="station"),
            refer(1, "huangtupu", JUSTICE, "当事人经济困难,请为其提供法律援助。"),
            reply(4, "station", "已指派法律援助律师,协助准备劳动仲裁申请。", "邹建平(县司法局)"),
            resolve(7, "huangtupu", OUT, "协商未果,已由法律援助律师代为申请劳动仲裁。"),
            rate(9, "station", BASICALLY),
            close(11, "huangtupu"),
        ),
    ),
    S(
        "grid",
        GRID,
        "other",
        HELP_KIND,
        "四马堂村外卖骑手送餐途中被撞",
        "四马堂村一名外卖骑手送餐途中被小车撞伤,对方不肯承担医药费。",
        age=12,
        unit="四马堂村工会",
        grid="四马堂村东微网格",
        time="18:30",
        steps=(
            accept(0, "huangtupu", assignee="grid"),
            refer(1, "huangtupu", POLICE, "请协助出具交通事故认定,以便骑手主张赔偿。"),
            reply(3, "grid", "交警已出具事故认定书,对方负主要责任。", "段志强(县公安局)"),
            resolve(6, "grid", PART, "对方已先行垫付医药费,后续赔偿由保险公司理赔。"),
            rate(8, "grid", SATISFIED),
        ),
    ),
    S(
        "huangtupu",
        DEPUTY,
        "labour_contract",
        SUGGEST,
        "建议对全镇民营企业开展劳动用工联合检查",
        "多名人大代表反映部分企业和合作社用工不签劳动合同,建议组织一次联合执法检查。",
        age=62,
        persons=0,
        complexity=Complexity.COMPLEX,
        time="15:00",
        steps=(
            accept(0, "huangtupu"),
            resolve(
                15,
                "huangtupu",
                ADVICE,
                "人大、工会依托工作站对全镇民营企业和农民专业合作社开展劳动用工联合检查,"
                "督促补签劳动合同2254份。",
            ),
            close(17, "huangtupu"),
        ),
    ),
]

# -- 白地市镇: the township cadre (唐春梅) and the mediator (管国庆) --------------------------

BAIDISHI_STORIES: list[Story] = [
    S(
        "baidishi",
        WALK_IN,
        "social_insurance",
        RIGHTS,
        "鑫源建材多年欠缴职工社会保险",
        "鑫源建材多名老职工反映企业多年只按最低基数缴社保,部分年份漏缴。",
        age=10,
        unit=XINYUAN,
        persons=8,
        employer=XINYUAN,
        complexity=Complexity.COMPLEX,
        time="09:40",
        steps=(
            accept(0, "baidishi"),
            escalate(
                2,
                "baidishi",
                "涉及企业多年欠缴,需县人社、税务部门联合处理,镇工会难以协调,请县总工会办理。",
            ),
            accept(3, "county"),
            refer(4, "county", LABOUR, "请对该企业社会保险缴纳情况开展专项检查。"),
            reply(8, "county", "已立案调查,责令企业限期补缴。", "何志明(县劳动保障监察大队)"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "流泉生猪养殖合作社饲养员工资拖欠",
        "合作社因猪价下跌拖欠两名饲养员三个月工资共9800元。",
        age=22,
        unit=PIG_COOP,
        persons=2,
        employer=PIG_COOP,
        amount="9800",
        time="10:20",
        steps=(
            accept(0, "baidishi", assignee="mediator"),
            resolve(4, "mediator", OK, "经调解,合作社分两次付清9800元。", amount="9800"),
            rate(6, "mediator", SATISFIED),
            close(8, "baidishi"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "labour_contract",
        RIGHTS,
        "鑫源建材解除劳动合同经济补偿争议",
        "企业以生产线停产为由解除劳动合同,只愿支付一半经济补偿。",
        age=33,
        unit=XINYUAN,
        employer=XINYUAN,
        amount="32000",
        complexity=Complexity.DIFFICULT,
        time="14:10",
        steps=(
            accept(0, "baidishi", assignee="mediator"),
            resolve(
                7,
                "mediator",
                PART,
                "劳动争议调解员上门调解,双方达成协议,企业支付经济补偿2.4万元。",
                amount="24000",
            ),
            rate(9, "mediator", BASICALLY),
            close(10, "baidishi"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "苍江桥村村民为私人老板建房被欠工钱",
        "为私人老板建厂房干了半年,老板拖欠工钱4.6万元,无书面合同。",
        age=28,
        unit="苍江桥村工会",
        employer_name="个体包工头邓某",
        amount="46000",
        complexity=Complexity.DIFFICULT,
        time="11:00",
        steps=(
            accept(0, "baidishi"),
            refer(1, "baidishi", COURT, "双方无书面合同,协商不成,请指导当事人通过诉讼解决。"),
            reply(9, "baidishi", "已立案并适用小额诉讼程序,定于下月开庭。", "许文华(县人民法院)"),
            resolve(12, "baidishi", OUT, "已引导当事人通过诉讼解决,工会将跟踪判决执行。"),
            rate(14, "baidishi", BASICALLY),
        ),
    ),
    S(
        "baidishi",
        LETTER,
        "hardship_help",
        HELP_KIND,
        "流泉村独居老职工生活困难",
        "村干部来信反映流泉村一名退休老职工独居,身患疾病,生活困难。",
        age=18,
        unit="流泉村工会",
        time="15:30",
        steps=(
            accept(1, "baidishi"),
            refer(2, "baidishi", CIVIL, "请核查是否符合最低生活保障条件。"),
            reply(6, "baidishi", "已纳入最低生活保障,每月按标准发放。", "贺秀英(县民政局)"),
            resolve(8, "baidishi", HELP, "工会送去慰问金和生活用品,民政已纳入低保。"),
            rate(10, "baidishi", SATISFIED),
            close(12, "baidishi"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "legal_advice",
        CONSULT,
        "嘹望街超市店员咨询工伤保险",
        "在超市上班搬货时扭伤腰,想知道能不能算工伤。",
        age=1,
        unit="嘹望街社区工会",
        time="16:40",
    ),
    S(
        "baidishi",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "上游街快递员被扣押金和工资",
        "上游街社区一名快递员离职后,网点扣着押金和半个月工资4200元不发。",
        age=3,
        unit="上游街社区工会",
        employer_name="白地市镇某快递加盟网点",
        amount="4200",
        time="10:30",
        steps=(accept(0, "mediator"),),
    ),
    S(
        "county",
        HOTLINE,
        "wage_arrears",
        RIGHTS,
        "鑫源建材装卸工加班费争议",
        "12351来电:鑫源建材装卸工每天工作超过十小时,企业不算加班费。",
        age=2,
        unit=XINYUAN,
        employer=XINYUAN,
        amount="6500",
        time="19:15",
    ),
    S(
        "baidishi",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "七宝山村村民在石料厂做工被欠薪",
        "七宝山村4名村民在邻村一家石料厂做工,厂里已停产,欠工资共1.8万元。",
        age=12,
        unit="七宝山村工会",
        persons=4,
        employer_name="祁东县某石料厂",
        amount="18000",
        time="09:15",
        steps=(
            accept(0, "baidishi"),
            refer(1, "baidishi", LABOUR, "石料厂已停产,老板去向不明,请依法查处。"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "wage_arrears",
        RIGHTS,
        "石料厂欠薪(同村村民再次来访)",
        "七宝山村又一名村民来站反映同一石料厂停产欠薪,本人被欠工资4500元。",
        age=11,
        unit="七宝山村工会",
        employer_name="祁东县某石料厂",
        amount="4500",
        time="14:30",
        steps=(
            merge(
                0,
                "baidishi",
                "七宝山村村民在石料厂做工被欠薪",
                "与已转办劳动监察的石料厂欠薪诉求为同一事项,并入一并处理。",
            ),
        ),
    ),
    S(
        "baidishi",
        DEPUTY,
        "skills_training",
        SUGGEST,
        "建议在流泉村举办科学养猪培训",
        "人大代表转来:流泉村养猪户多,缺少防疫和饲养技术,建议办培训班。",
        age=60,
        persons=0,
        complexity=Complexity.DIFFICULT,
        time="10:00",
        steps=(
            accept(0, "baidishi"),
            resolve(
                9,
                "baidishi",
                ADVICE,
                "联络县畜牧局和县科协在流泉村开办科学养猪培训班,并引导养殖户组建专业合作社。",
            ),
            close(10, "baidishi"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "employment",
        HELP_KIND,
        "松林桥村返乡青年求职",
        "在外地电子厂打工多年后返乡,想在镇上或县城找一份稳定工作。",
        age=7,
        unit="松林桥村工会",
        time="11:20",
        steps=(
            accept(0, "baidishi"),
            resolve(3, "baidishi", HELP, "已推荐到祁东经济开发区一家电子企业,面试通过。"),
        ),
    ),
    S(
        "baidishi",
        WALK_IN,
        "other",
        RIGHTS,
        "嘹望街餐馆扣押员工身份证",
        "嘹望街一家餐馆老板扣押员工身份证,员工想辞职也不还。",
        age=42,
        unit="嘹望街社区工会",
        employer_name="嘹望街某餐馆",
        time="13:50",
        steps=(
            accept(0, "baidishi"),
            refer(1, "baidishi", POLICE, "用人单位扣押居民身份证,请依法处理。"),
            reply(2, "baidishi", "派出所民警已责令老板当场归还身份证。", "段志强(县公安局)"),
            resolve(3, "baidishi", OK, "身份证已归还,员工已办理离职。"),
            rate(4, "baidishi", SATISFIED),
            close(6, "baidishi"),
        ),
    ),
]

# -- other townships, the development zone and new-form workers: the county (周建华)
# takes the 12351 calls and handles what reaches it ------------------------------------

COUNTY_STORIES: list[Story] = [
    S(
        "county",
        HOTLINE,
        "wage_arrears",
        RIGHTS,
        "洪桥米业搬运工工资拖欠",
        "12351来电:洪桥米业两名搬运工两个月工资共1.26万元未发。",
        age=26,
        unit="祁东县洪桥米业有限公司工会",
        persons=2,
        employer="祁东县洪桥米业有限公司工会",
        amount="12600",
        time="08:50",
        steps=(
            accept(1, "county"),
            resolve(4, "county", OK, "约谈企业负责人,企业已足额补发1.26万元。", amount="12600"),
            rate(6, "county", SATISFIED),
            close(8, "county"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "labour_contract",
        RIGHTS,
        "湘桂纺织劳务派遣工同工不同酬",
        "12351来电:湘桂纺织的派遣工与正式工同岗位,但工资和福利差距很大。",
        age=15,
        unit="祁东县湘桂纺织有限公司工会",
        persons=3,
        employer="祁东县湘桂纺织有限公司工会",
        time="10:25",
        steps=(
            accept(0, "county"),
            refer(1, "county", LABOUR, "请核查该企业劳务派遣用工是否符合同工同酬规定。"),
            # Answered by the department's own account (何志明 signs in as ``partner``).
            reply(5, "partner", "已责令企业调整派遣工薪酬方案。", ""),
            contact(
                6,
                "county",
                "来电职工",
                "电话回访来电职工:企业已召开职工座谈会公布新的薪酬方案,职工表示认可。",
            ),
            resolve(7, "county", OK, "企业已调整薪酬方案,派遣工下月起同岗同酬。"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "occupational_safety",
        RIGHTS,
        "恒通机械车间噪声超标",
        "12351来电:恒通机械冲压车间噪声很大,企业没有发放耳塞等防护用品。",
        age=5,
        unit="祁东县恒通机械制造有限公司工会",
        employer="祁东县恒通机械制造有限公司工会",
        time="13:40",
        steps=(
            accept(1, "county"),
            contact(
                2,
                "county",
                "企业安全生产负责人",
                "电话告知企业须为冲压工发放耳塞,企业答应本周内配发。",
            ),
            contact(3, "county", "来电职工", "电话跟进:车间已发放耳塞,噪声检测另行安排。"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "work_injury",
        RIGHTS,
        "外卖骑手送餐摔伤,平台职业伤害保障理赔慢",
        "12351来电:城区一名外卖骑手雨天送餐摔伤,申请职业伤害保障一个月没有结果。",
        age=24,
        unit="祁东县城区外卖配送站点联合工会",
        employer_name="网约配送平台(众包)",
        amount="20000",
        complexity=Complexity.DIFFICULT,
        time="21:30",
        steps=(
            accept(1, "county"),
            refer(2, "county", LABOUR, "请协调平台加快新就业形态人员职业伤害保障理赔。"),
            contact(4, "county", "骑手本人", "电话回访骑手:已告知转办进展,提醒保留就医票据。"),
            reply(9, "county", "已协调平台和承保机构完成材料补正。", "何志明(县劳动保障监察大队)"),
            resolve(
                14,
                "county",
                PART,
                "职业伤害保障待遇1.6万元已到账,误工费仍在协商。",
                amount="16000",
            ),
            rate(16, "county", BASICALLY),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "legal_advice",
        CONSULT,
        "网约车司机咨询平台抽成规则",
        "12351来电:网约车司机咨询平台抽成比例调整是否合法,能否集体协商。",
        age=9,
        unit="祁东县网约车司机联合工会",
        time="16:05",
        steps=(
            accept(0, "county"),
            resolve(0, "county", ADVICE, "已解释平台规则公示要求,并介绍行业集体协商的做法。"),
            close(2, "county"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "wage_arrears",
        RIGHTS,
        "快递网点以罚款名义克扣快递员工资",
        "12351来电:快递网点以投诉罚款为名每月扣快递员几百元工资。",
        age=2,
        unit="祁东县快递物流园联合工会",
        employer_name="祁东县某快递加盟网点",
        amount="1800",
        time="12:10",
    ),
    S(
        "county",
        LETTER,
        "wage_arrears",
        RIGHTS,
        "蒋家桥物流司机工资拖欠",
        "职工来信反映蒋家桥物流拖欠货车司机两个月工资7400元。",
        age=11,
        unit="祁东县蒋家桥物流有限公司工会",
        employer="祁东县蒋家桥物流有限公司工会",
        amount="7400",
        time="09:05",
        steps=(
            accept(2, "county"),
            resolve(6, "county", OK, "企业已补发拖欠工资7400元。", amount="7400"),
            rate(8, "county", SATISFIED),
            close(9, "county"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "occupational_safety",
        RIGHTS,
        "马杜桥家具厂打磨车间粉尘大",
        "12351来电:家具厂打磨车间粉尘大,企业没有除尘设备,工人担心得尘肺病。",
        age=36,
        unit="祁东县马杜桥家具有限公司工会",
        employer="祁东县马杜桥家具有限公司工会",
        time="10:35",
        steps=(
            accept(1, "county"),
            refer(2, "county", LABOUR, "请对该企业职业危害防护情况开展检查。"),
            reply(6, "county", "已责令企业限期安装除尘设备。", "何志明(县劳动保障监察大队)"),
            resolve(9, "county", OK, "企业已安装除尘设备并组织职业健康体检。"),
            close(12, "county"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "hardship_help",
        HELP_KIND,
        "砖塘食品职工子女患重病",
        "12351来电:砖塘食品一名职工的孩子患白血病,家庭负担沉重。",
        age=19,
        unit="祁东县砖塘食品有限公司工会",
        employer="祁东县砖塘食品有限公司工会",
        time="15:15",
        steps=(
            accept(1, "county"),
            resolve(5, "county", HELP, "发放大病救助金5000元,并发动企业职工捐款。"),
            rate(7, "county", SATISFIED),
            close(9, "county"),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "social_insurance",
        DEMAND,
        "归阳矿业井下工人工伤保险未参保",
        "12351来电:归阳矿业部分井下工人没有参加工伤保险。",
        age=5,
        unit="祁东县归阳矿业有限公司工会",
        employer="祁东县归阳矿业有限公司工会",
        time="11:45",
        steps=(
            accept(1, "county"),
            contact(
                2, "county", "企业工会主席", "电话了解参保情况,企业工会正在统计未参保人员名单。"
            ),
        ),
    ),
    S(
        "county",
        HOTLINE,
        "wage_arrears",
        RIGHTS,
        "永昌建材销售员提成拖欠",
        "12351来电:永昌建材拖欠销售员上半年提成6800元。",
        age=46,
        unit="祁东县永昌建材有限公司工会",
        employer="祁东县永昌建材有限公司工会",
        amount="6800",
        time="14:55",
        steps=(
            accept(0, "county"),
            resolve(3, "county", OK, "企业核对后已支付提成6800元。", amount="6800"),
            rate(5, "county", SATISFIED),
            close(6, "county"),
        ),
    ),
    S(
        "county",
        LETTER,
        "counselling",
        SUGGEST,
        "建议在开发区设立职工心理咨询室",
        "祁星电子职工来信:园区年轻职工多,工作压力大,建议设立心理咨询室。",
        age=30,
        unit="祁东县祁星电子科技有限公司工会",
        time="10:10",
        steps=(
            accept(1, "county"),
            resolve(4, "county", ADVICE, "已将建议纳入开发区职工服务阵地建设计划。"),
            close(6, "county"),
        ),
    ),
]

STORIES: list[Story] = [*HUANGTUPU_STORIES, *BAIDISHI_STORIES, *COUNTY_STORIES]


def expected_recovered() -> Decimal:
    """The amount recovered over all demo cases: each case keeps the amount of its last
    resolution."""
    total = Decimal("0")
    for story in STORIES:
        resolutions = [s for s in story.steps if s.action == "resolve"]
        if resolutions and resolutions[-1].amount:
            total += Decimal(resolutions[-1].amount)
    return total
