"""Play the demo county's labour-dispute mediations through the mediation services.

Five wage and contract disputes still in hand after the case stories
(``loader``) go to mediation, each in a different state: filed after an agreement
that was performed, failed and referred to arbitration, withdrawn, in session after two
meetings, just opened. The acts are dated in working days before today (``ago``), never
before the case was taken in hand; the services get the back-dated ``now``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from huigong.accounts.models import User
from huigong.cases.models import Case, CaseEvent, EventKind, Mediation
from huigong.cases.services import mediation as services
from huigong.common.workdays import add_working_days, working_days_before

#: Minutes between two consecutive acts on the same mediation on one day.
_GAP = datetime.timedelta(minutes=40)


@dataclass(frozen=True)
class Act:
    """One step of a mediation: ``action`` names the service (see ``MediationLoader``)."""

    action: str  # sort, session, agree, fail, withdraw, follow_up, file
    ago: int  # working days before today
    clock: str = "09:30"
    by: str = ""  # default: the story's account
    text: str = ""
    team: str = ""
    mediators: tuple[str, ...] = ()
    place: str = ""
    attendees: str = ""
    amount: str | None = None
    due_in: int = 0  # performance due, working days after the agreement
    referred_to: str = ""
    performed: str = ""
    performed_ago: int = 0


@dataclass(frozen=True)
class MediationStory:
    case_title: str  # the demo case (``stories``) taken into mediation
    by: str  # the account opening and running it
    ago: int
    claims: str
    representative: str = ""
    clock: str = "10:00"
    acts: tuple[Act, ...] = ()


STORIES: list[MediationStory] = [
    MediationStory(
        "七宝山村村民在石料厂做工被欠薪",
        by="mediator",
        ago=10,
        representative="石料厂负责人 陈国平",
        claims="申请人四人在石料厂做工,被拖欠工资共计 18000 元,请求一次性支付。",
        acts=(
            Act(
                "sort",
                10,
                "14:00",
                team="mediation_team",
                mediators=("mediator",),
                text="欠薪事实清楚,交镇劳动关系调解队调解。",
            ),
            Act(
                "session",
                8,
                "09:30",
                place="白地市镇劳动关系服务站调解室",
                attendees="刘霞、李涛新、郭英艳、蒋琴秀;陈国平;调解员管国庆",
                text="双方核对了考勤和工资条,石料厂承认拖欠 18000 元,称货款未回笼。"
                "调解员释明《保障农民工工资支付条例》,石料厂同意一周内付清。",
            ),
            Act(
                "agree",
                8,
                "15:00",
                text="被申请人于协议签订后一周内,一次性支付四名申请人工资共计 18000 元"
                "(每人 4500 元),转入申请人本人银行账户;申请人不再就此事项另行主张。",
                amount="18000",
                due_in=5,
            ),
            Act(
                "follow_up",
                3,
                "10:00",
                performed="yes",
                performed_ago=4,
                text="电话回访刘霞,四人工资均已到账。",
            ),
            Act("file", 2, "16:00", text="协议已履行,归档。"),
        ),
    ),
    MediationStory(
        "黄花菜合作社采摘季临时工工资拖欠",
        by="huangtupu",
        ago=12,
        representative="合作社理事长 王志强",
        claims="采摘季临时工六人被拖欠工资共计 24000 元,请求合作社支付。",
        acts=(
            Act(
                "sort",
                12,
                "15:00",
                team="lawyer_volunteers",
                mediators=("huangtupu",),
                text="涉及用工性质认定,请律师志愿者参与。",
            ),
            Act(
                "session",
                9,
                "14:30",
                place="黄土铺镇工会联合会会议室",
                attendees="王峰等六名申请人;王志强;律师志愿者;调解员罗芳",
                text="合作社认为采摘工为劳务关系且已按斤结算,只认可 9000 元;"
                "申请人坚持按日计薪 24000 元,双方差距较大。",
            ),
            Act(
                "fail",
                7,
                "10:00",
                referred_to="arbitration",
                text="双方对工资计算方式分歧大,调解不成。已告知申请人向县劳动人事争议仲裁院申请仲裁,"
                "并协助准备考勤照片和证人证言。",
            ),
        ),
    ),
    MediationStory(
        "镇安置房项目木工班组工资未结",
        by="huangtupu",
        ago=2,
        claims="木工班组五人工资 8600 元未结,请求劳务公司支付。",
        acts=(
            Act(
                "withdraw",
                1,
                "11:00",
                text="劳动监察大队已责令劳务公司限期支付,班组长代表申请人撤回调解申请。",
            ),
        ),
    ),
    MediationStory(
        "新发食品新招员工入职两月未签劳动合同",
        by="huangtupu",
        ago=8,
        representative="人力资源部 李敏",
        claims="入职两个月未签订书面劳动合同,请求补签合同并支付二倍工资差额。",
        acts=(
            Act(
                "sort",
                8,
                "14:00",
                team="station",
                mediators=("huangtupu", "county"),
                text="企业有工会,先由服务站调解员调解。",
            ),
            Act(
                "session",
                6,
                "09:30",
                place="新发食品有限公司工会活动室",
                attendees="蒋霞萍、张春秀、赵伟;李敏;调解员罗芳",
                text="企业同意补签劳动合同,二倍工资差额需请示总经理。",
            ),
            Act(
                "session",
                2,
                "14:30",
                place="黄土铺镇劳动关系服务站",
                attendees="蒋霞萍、张春秀、赵伟;李敏;调解员罗芳、周建华",
                text="三人已补签劳动合同。企业提出按一个月工资补偿,申请人要求两个月,约定下周再谈。",
            ),
        ),
    ),
    MediationStory(
        "上游街快递员被扣押金和工资",
        by="mediator",
        ago=1,
        clock="15:30",
        claims="快递网点扣押押金 1000 元及工资 3200 元,请求退还并支付。",
    ),
]


class MediationLoader:
    """Opens and runs the mediations of ``STORIES``; ``users`` maps demo usernames to
    users."""

    def __init__(self, *, users: dict[str, User], today: datetime.date | None = None):
        self.users = users
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.mediations: list[Mediation] = []

    def _day(self, ago: int) -> datetime.date:
        return working_days_before(self.today, ago)

    def _at(self, ago: int, clock: str) -> datetime.datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime.datetime.combine(
            self._day(ago), datetime.time(hour, minute), tzinfo=self.tz
        )

    def build_mediations(self) -> list[Mediation]:
        # In the order they were opened, so that the numbers follow the dates.
        for story in sorted(STORIES, key=lambda s: (-s.ago, s.clock)):
            self.play(story)
        return self.mediations

    def play(self, story: MediationStory) -> Mediation:
        case = Case.objects.get(title=story.case_title)
        accepted = (
            CaseEvent.objects.filter(case=case, kind=EventKind.ACCEPTED)
            .order_by("-time")
            .values_list("time", flat=True)
            .first()
        )
        if accepted is None:
            raise ValueError(f"the demo case “{story.case_title}” was never taken in hand")
        moment = max(self._at(story.ago, story.clock), accepted + _GAP)
        mediation = services.open_mediation(
            actor=self.users[story.by],
            case=case,
            respondent_representative=story.representative,
            claims=story.claims,
            now=moment,
        )
        for act in story.acts:
            moment = max(self._at(act.ago, act.clock), moment + _GAP)
            moment = self._act(mediation, story, act, moment)
        if moment >= timezone.now():
            raise ValueError(f"the mediation of “{story.case_title}” would be dated in the future")
        mediation.refresh_from_db()
        self.mediations.append(mediation)
        return mediation

    def _act(
        self, mediation: Mediation, story: MediationStory, act: Act, now: datetime.datetime
    ) -> datetime.datetime:
        """Take ``act`` at ``now``; returns when it was recorded."""
        # Every service takes the acting account and the mediation.
        on = {"actor": self.users[act.by or story.by], "mediation": mediation}
        if act.action == "sort":
            mediators = [self.users[name] for name in act.mediators]
            services.sort_mediation(
                **on, team=act.team, mediators=mediators, note=act.text, now=now
            )
        elif act.action == "session":
            # The minutes are entered after the meeting.
            recorded = now + datetime.timedelta(hours=2)
            services.record_session(
                **on,
                held_at=now,
                place=act.place,
                attendees=act.attendees,
                minutes=act.text,
                now=recorded,
            )
            return recorded
        elif act.action == "agree":
            due = add_working_days(timezone.localdate(now), act.due_in) if act.due_in else None
            services.record_agreement(
                **on, terms=act.text, amount=act.amount, performance_due=due, now=now
            )
        elif act.action == "fail":
            services.record_no_agreement(**on, referred_to=act.referred_to, note=act.text, now=now)
        elif act.action == "withdraw":
            services.withdraw_mediation(**on, reason=act.text, now=now)
        elif act.action == "follow_up":
            performed_at = self._day(act.performed_ago) if act.performed_ago else None
            services.record_follow_up(
                **on, performed=act.performed, performed_at=performed_at, note=act.text, now=now
            )
        elif act.action == "file":
            services.file_mediation(**on, note=act.text, now=now)
        else:
            raise ValueError(f"unknown demo mediation act {act.action!r}")
        return now
