"""Realistic, deterministic demo data for training, screenshots and performance tests.

`generate_demo` fills a data directory with the stations of `places`, their staff, and
residents in households with priority-group memberships, home visits, feedback sheets,
cases with stage histories and progress notes, activities with attendance, and donated
resources with hand-outs — over the two years before `ctx.today()`.

Everything is drawn from `random.Random` seeded by `seed` and the number of residents
already present, record ids included: the same seed and clock give the same data, and a
second run on the same directory adds new residents instead of colliding with the first.
Every row is written through the change recorder (so it is logged and will sync), in one
transaction per batch of residents with their records, and obeys the rules the services
enforce (field lengths, codes, dates, ID numbers, case stages, quantities).

Tibetan texts below are for demo use and need a native reviewer.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.demo import names
from station_desktop.demo.names import SEXES, Sex
from station_desktop.demo.places import (
    LHASA_REGION_CODES,
    OTHER_REGION_CODES,
    STATIONS,
    County,
    StationPlace,
    staff_uuid,
)
from station_desktop.domain.casework import OPEN_STAGES, REOPEN_STAGE, can_move
from station_desktop.domain.codes import (
    ActivityKind,
    AreaKind,
    CaseSource,
    CaseStage,
    ClosingReason,
    DonorType,
    Ethnicity,
    FeedbackDimension,
    HouseholdRelation,
    LegalBasis,
    PriorityGroup,
    ResourceKind,
    ServiceArea,
    ServiceType,
    StaffRole,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.domain.idcard import check_character
from station_desktop.domain.ids import attendance_id
from station_desktop.errors import StationError
from station_desktop.forms.resident import GUARDIAN_AGE_LIMIT
from station_desktop.reference.stations import ReferenceStation
from station_desktop.services.access import SYSTEM
from station_desktop.services.cases import case_number
from station_desktop.services.context import CHINA_TZ, ServiceContext
from station_desktop.services.residents import age_on
from station_desktop.store.models import (
    Activity,
    Area,
    Attendance,
    CaseNote,
    CaseRecord,
    CaseStageChange,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Household,
    Replicated,
    Resident,
    ResourceHandout,
    ResourceReceipt,
    Staff,
    Station,
)
from station_desktop.store.opening import device_tag
from station_desktop.store.search import index_residents

COUNT_KEYS = (
    "stations",
    "areas",
    "staff",
    "households",
    "residents",
    "memberships",
    "visits",
    "feedback_sheets",
    "feedback_ratings",
    "cases",
    "case_stage_changes",
    "case_notes",
    "activities",
    "attendance",
    "resource_receipts",
    "resource_handouts",
)
# About 25,000 rows per transaction: large enough to amortise the commit (synchronous=FULL),
# small enough to keep memory flat at 100,000 residents.
BATCH_RESIDENTS = 2_000
HISTORY_DAYS = 730  # services are spread over the last two years
FIRST_BIRTH_YEAR = 1930
MAX_HOUSEHOLD = 6

Row = dict[str, Any]
T = TypeVar("T")


class Weights(Generic[T]):
    """Choices with fixed relative weights (cumulated once, not on every draw)."""

    def __init__(self, weights: Mapping[T, int]) -> None:
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.keys, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class DemoSize:
    residents: int
    # One bundled station (its code) holding every resident, as a real station's laptop
    # does; None spreads them over the demo's stations of `places`.
    station: str | None = None


def generate_demo(
    app: Application,
    size: DemoSize,
    *,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write demo data for `size.residents` residents; returns how many records of each
    kind were written (feedback ratings and case stage changes included, so the counts add
    up to the change-log entries written)."""
    if size.residents < 0:
        raise ValueError("the number of residents cannot be negative")
    # The program writes demo data, not a person: it acts as SYSTEM, then again for
    # whoever works on the laptop.
    app.ctx.actor = SYSTEM
    try:
        return _generate(app, size, seed, progress)
    finally:
        app.stations.act_as_stand_in()


def _generate(
    app: Application, size: DemoSize, seed: int, progress: Callable[[str], None] | None
) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    stations = _ensure_reference_data(app, counts, size.station)
    app.ctx.actor = SYSTEM  # choosing the demo's worker made them the actor
    if not stations and size.residents:
        raise StationError("Every demo station is deleted on this laptop.")
    builder = _Builder(app.ctx, stations, seed)
    done = 0
    while done < size.residents:
        batch = builder.batch(min(BATCH_RESIDENTS, size.residents - done))
        with app.ctx.uow() as uow:
            for kind, model, rows, ids in batch.tables():
                uow.insert_many(model, rows, record_ids=ids)
                counts[kind] += len(rows)
            index_residents(uow.session, app.ctx.keys, batch.people)
        done += len(batch.people)
        if progress is not None:
            progress(f"residents {done}/{size.residents}")
    return counts


# ---------------------------------------------------------------- reference data


@dataclass
class _AreaRef:
    id: uuid.UUID
    code: str
    kind: str
    name_zh: str
    name_bo: str
    households: int = 0  # already registered, to continue the household numbering


@dataclass
class _StationRef:
    place: StationPlace
    code: str  # the station's division code
    id: uuid.UUID
    areas: list[_AreaRef]
    staff: list[uuid.UUID]
    workers: list[uuid.UUID]  # social workers (case workers)


def _staff_plan(index: int) -> list[tuple[names.StaffName, StaffRole]]:
    """3–5 staff per station, the first one heading it; fixed per station, not random."""
    count = 3 + index % 3
    first = (index * 5) % len(names.STAFF_NAMES)
    people = [names.STAFF_NAMES[(first + i) % len(names.STAFF_NAMES)] for i in range(count)]
    return [
        (person, StaffRole.STATION_HEAD if i == 0 else StaffRole.SOCIAL_WORKER)
        for i, person in enumerate(people)
    ]


def _demo_stations(
    app: Application, only: str | None = None
) -> list[tuple[StationPlace, ReferenceStation]]:
    """The demo's stations are real ones of the bundled list (found by district and name),
    with all their villages and communities; `places` adds how busy each one is. `only`
    (a bundled station's code) gives that station alone, described from the bundled list
    when `places` does not know it."""
    listed = app.stations.bundled()
    bundled = {(s.district.name_zh, s.name_zh): s for s in listed.stations}
    demo = [(place, bundled[(place.county.name_zh, place.name_zh)]) for place in STATIONS]
    if only is None:
        return demo
    reference = listed.find(only)
    if reference is None:
        raise ValueError(f"no bundled station has the code {only!r}")
    known = next((place for place, ref in demo if ref.code == reference.code), None)
    if known is not None:
        return [(known, reference)]
    district = reference.district
    place = StationPlace(
        reference.code,
        reference.kind,
        reference.name_zh,
        reference.name_bo,
        County(district.name_zh, district.name_bo, district.code),
        1.0,
        (),
    )
    return [(place, reference)]


def _staff_index(place: StationPlace) -> int:
    # A station described from the bundled list gets a fixed plan after the demo's own.
    return STATIONS.index(place) if place in STATIONS else len(STATIONS) + int(place.code[-3:])


def _ensure_reference_data(
    app: Application, counts: dict[str, int], only: str | None = None
) -> list[_StationRef]:
    """Stations, villages and staff of the demo; those already present (by code, or staff
    by name within the station) are reused, so running the demo again does not fail."""
    ctx = app.ctx
    demo = _demo_stations(app, only)
    with ctx.db.read() as session:
        deleted = set(
            session.scalars(
                select(Station.code).where(
                    Station.code.in_([ref.code for _, ref in demo]), Station.deleted.is_(True)
                )
            )
        )
    live = [(place, ref) for place, ref in demo if ref.code not in deleted]
    if not live:
        return []
    written = app.stations.install_bundled([ref for _, ref in live])
    counts["stations"] += written["stations"]
    counts["areas"] += written["areas"]
    if app.stations.current_station() is None:
        app.stations.use_station(live[0][1].code)

    with ctx.db.read() as session:
        areas = list(
            session.execute(
                select(Area.id, Area.station_id, Area.code, Area.kind, Area.name_zh, Area.name_bo)
                .where(Area.deleted.is_(False))
                .order_by(Area.code)
            )
        )
        staff_rows = list(
            session.execute(
                select(Staff.id, Staff.station_id, Staff.name_zh, Staff.role)
                .where(Staff.deleted.is_(False), Staff.active.is_(True))
                .order_by(Staff.id)
            )
        )
        household_counts: dict[uuid.UUID | None, int] = {
            area_id: count
            for area_id, count in session.execute(
                select(Household.area_id, func.count()).group_by(Household.area_id)
            )
        }
    staff_ids = {sid for sid, *_ in staff_rows}

    refs: list[_StationRef] = []
    new_staff: list[tuple[Row, uuid.UUID]] = []
    for place, reference in live:
        station_id = reference.id
        ref = _StationRef(place, reference.code, station_id, [], [], [])
        ref.areas = [
            _AreaRef(area_id, code, kind, name_zh, name_bo, household_counts.get(area_id, 0))
            for area_id, area_station, code, kind, name_zh, name_bo in areas
            if area_station == station_id
        ]
        here: list[tuple[uuid.UUID, uuid.UUID, str, str]] = [
            (row[0], row[1], row[2], row[3]) for row in staff_rows if row[1] == station_id
        ]
        names_here = {row[2] for row in here}
        for index, (person, role) in enumerate(_staff_plan(_staff_index(place))):
            staff_id = staff_uuid(reference.code, index)
            if person.zh in names_here or staff_id in staff_ids:
                continue
            new_staff.append(
                (
                    {
                        "station_id": station_id,
                        "name_bo": person.bo,
                        "name_zh": person.zh,
                        "role": role.value,
                        "active": True,
                    },
                    staff_id,
                )
            )
            here.append((staff_id, station_id, person.zh, role.value))
        ref.staff = [row[0] for row in here]
        ref.workers = [row[0] for row in here if row[3] == StaffRole.SOCIAL_WORKER.value] or list(
            ref.staff
        )
        if ref.areas and ref.staff:
            refs.append(ref)
    if new_staff:
        with ctx.uow() as uow:
            uow.insert_many(Staff, [r for r, _ in new_staff], record_ids=[i for _, i in new_staff])
        counts["staff"] += len(new_staff)
    # The demo laptop is ready to use: its station's head is working on it (who may do
    # everything at a station, so that every page can be shown).
    served = next((ref for ref in refs if ref.id == ctx.station_id()), None)
    if served is not None and app.stations.current_worker() is None:
        heads = [
            s.id
            for s in app.stations.staff()
            if s.role == StaffRole.STATION_HEAD.value and s.id in served.staff
        ]
        app.stations.choose_worker((heads or served.workers)[0])
    return refs


# ---------------------------------------------------------------- text stock

# (Chinese, Tibetan); an empty Tibetan text means the phrase is only written in Chinese.
Text = tuple[str, str]

SITUATION: dict[str, tuple[Text, ...]] = {
    "elderly": (
        ("老人独自居住，身体状况尚可，生活基本能自理。", "རྒན་འཁོགས་གཅིག་པུར་སྡོད་ཀྱི་ཡོད། ལུས་པོ་བདེ་ཐང་ཡིན།"),
        ("老人腿脚不便，上下楼困难。", "རྐང་པར་ན་ཟུག་ཡོད། ཐེམ་སྐས་འཛེགས་དཀའ།"),
        ("患高血压，能按时服药。", "ཁྲག་ཤེད་མཐོ་པོ་ཡོད། དུས་ཐོག་སྨན་ཟ་གི་ཡོད།"),
        ("冬季取暖有困难。", "དགུན་དུས་དྲོད་གཏོང་དཀའ་ངལ་ཡོད།"),
        ("子女在外地工作，很少回家。", "བུ་ཕྲུག་ས་ཐག་རིང་པོར་ལས་ཀ་བྱེད་ཀྱི་ཡོད།"),
        ("老人精神状态良好，每天转经。", ""),
    ),
    "child": (
        ("父母外出务工，孩子由祖父母照顾。", "ཕ་མ་ཕྱི་ལ་ལས་ཀ་བྱེད་དུ་ཕྱིན་འདུག"),
        ("孩子按时上学，在校表现良好。", "བུ་ཕྲུག་སློབ་གྲྭར་འགྲོ་གི་ཡོད།"),
        ("学习用品不足。", "སློབ་སྦྱོང་ཡོ་ཆས་མི་འདང་།"),
        ("孩子性格内向，与同学交流少。", ""),
    ),
    "disability": (
        ("肢体残疾，需要辅助器具。", "ལུས་པོར་སྐྱོན་ཡོད། རོགས་རམ་ཡོ་ཆས་དགོས།"),
        ("视力不好，出行需要陪同。", "མིག་ལ་སྐྱོན་ཡོད། ཕྱི་ལ་འགྲོ་དུས་རོགས་པ་དགོས།"),
        ("康复训练坚持得较好。", ""),
    ),
    "general": (
        ("家庭生活稳定，无特殊困难。", "ཁྱིམ་ཚང་གི་འཚོ་བ་བརྟན་པོ་ཡོད།"),
        ("询问低保政策和申请条件。", "སྲིད་ཇུས་སྐོར་འདྲི་རྩད་བྱས།"),
        ("家中有人生病住院，经济压力大。", "ཁྱིམ་མི་ཞིག་ན་ནས་སྨན་ཁང་དུ་ཡོད།"),
        ("主要劳动力务农，收入不稳定。", ""),
    ),
}
NEEDS: dict[str, tuple[Text, ...]] = {
    "elderly": (
        ("需要夜灯和坐便椅。", ""),
        ("希望有人定期上门看望。", "དུས་རྒྱུན་ལྟ་སྐོར་ལ་ཡོང་རོགས་ཞུ།"),
        ("需要冬季棉被。", "དགུན་དུས་ཀྱི་ཉལ་ཆས་དགོས།"),
        ("需要代办医保报销。", ""),
    ),
    "child": (("需要课外辅导。", ""), ("需要书包和文具。", ""), ("需要心理疏导。", "")),
    "disability": (("需要轮椅。", ""), ("需要康复指导。", ""), ("申请残疾人两项补贴。", "")),
    "general": (("申请临时救助。", ""), ("了解就业培训信息。", ""), ("", "")),
}
NOT_AT_HOME: dict[str, tuple[Text, ...]] = {
    VisitOutcome.NOBODY_HOME.value: (
        ("家中无人，已电话联系。", "ཁྱིམ་དུ་མི་མི་འདུག ཁ་པར་བཏང་ཡོད།"),
        ("敲门无人应答，邻居说老人去医院了。", ""),
    ),
    VisitOutcome.VACANT.value: (("房屋空置，住户已搬走。", "ཁང་པ་སྟོང་པ་རེད།"),),
    VisitOutcome.REFUSED.value: (("住户不愿接受走访。", ""), ("家属表示不需要服务。", "")),
}
FOLLOW_UP: tuple[Text, ...] = (
    ("下月再次走访。", "ཟླ་བ་རྗེས་མར་ཡང་བསྐྱར་ལྟ་སྐོར་ཡོང་རྒྱུ།"),
    ("协助申请临时救助。", ""),
    ("联系村医上门。", ""),
    ("转介残联评估辅具。", ""),
    ("", ""),
)
SERVICES_NOTE: tuple[str, ...] = ("送去酥油和大米。", "讲解医保政策。", "帮助打扫卫生。", "")
COMPANIONS: tuple[str, ...] = (
    "",
    "",
    "社区网格员",
    "村委会委员",
    "驻村工作队队员",
    "村医",
    "志愿者",
)
COMMENTS: tuple[Text, ...] = (
    ("服务很好，谢谢！", "ཞབས་ཞུ་ཡག་པོ་འདུག ཐུགས་རྗེ་ཆེ།"),
    ("希望多来看看老人。", ""),
    ("工作人员会说藏语，沟通方便。", ""),
    ("办事效率可以再提高。", ""),
    ("", "ཐུགས་རྗེ་ཆེ།"),
)
PROBLEM: dict[str, tuple[Text, ...]] = {
    "elderly": (
        ("独居老人，行动不便，缺少日常照料。", "རྒན་འཁོགས་གཅིག་པུར་སྡོད་ཀྱི་ཡོད།"),
        ("老人长期患病，家属照护压力大。", ""),
    ),
    "child": (("留守儿童，学习成绩下降，情绪低落。", ""), ("孩子辍学在家，需要返校支持。", "")),
    "disability": (("肢体残疾，就业困难，家庭收入低。", ""),),
    "general": (("家庭经济困难，主要劳动力患病。", ""), ("家庭矛盾，需要调解。", "")),
}
ASSESSMENT = (
    "案主有一定自理能力，社会支持网络薄弱。",
    "家庭经济来源单一，需要链接救助资源。",
    "案主情绪低落，需要心理支持。",
)
GOALS = ("改善日常照料；链接社区资源。", "稳定家庭经济；恢复正常学习。", "提高自我照顾能力。")
PLAN = (
    "每两周上门一次；协调志愿者结对帮扶；申请临时救助。",
    "联系学校老师共同跟进；每月家访一次。",
    "链接残联辅具；开展康复指导。",
)
STAGE_NOTES: dict[str, str] = {
    CaseStage.INTAKE.value: "接案登记。",
    CaseStage.ASSESSMENT.value: "完成需求评估。",
    CaseStage.PLANNING.value: "与案主共同制定服务计划。",
    CaseStage.INTERVENTION.value: "开始介入服务。",
    CaseStage.EVALUATION.value: "评估服务成效。",
}
BACK_NOTE = "需补充信息，退回上一阶段。"
REOPEN_NOTE = "案主再次求助，重新开案。"
CLOSING_NOTES: dict[str, str] = {
    ClosingReason.GOALS_MET.value: "服务目标已达成，结案。",
    ClosingReason.REFERRED_OUT.value: "已转介，结案。",
    ClosingReason.CLIENT_WITHDREW.value: "案主表示不再需要服务。",
    ClosingReason.MOVED_AWAY.value: "案主已迁出本辖区。",
    ClosingReason.DECEASED.value: "案主已去世。",
    ClosingReason.NO_LONGER_ELIGIBLE.value: "案主情况好转，不再符合条件。",
    ClosingReason.LOST_CONTACT.value: "多次联系未果。",
    ClosingReason.OTHER.value: "其他原因结案。",
}
REFERRAL_TO = (
    "城关区残疾人联合会",
    "拉萨市儿童福利院",
    "社区卫生服务中心",
    "拉萨市人民医院",
    "区人力资源和社会保障局",
)
NOTE_BODIES: tuple[Text, ...] = (
    ("电话回访，案主情况稳定。", "ཁ་པར་ཐོག་ནས་གནས་ཚུལ་འདྲི་རྩད་བྱས།"),
    ("上门探访，协助整理药品。", "ཁྱིམ་དུ་ལྟ་སྐོར་བྱས།"),
    ("联系社区医生为案主检查身体。", ""),
    ("陪同案主到医院复诊。", ""),
    ("与家属沟通照料安排。", ""),
    ("为案主申请临时救助，材料已提交。", ""),
    ("组织志愿者上门打扫卫生。", ""),
    ("辅导孩子完成作业，与老师沟通。", ""),
)
CORRECTIONS = ("更正：上条记录日期有误。", "更正：上条记录中药品名称有误。")


@dataclass(frozen=True)
class _ActivityIdea:
    kind: ActivityKind
    title_zh: str
    title_bo: str
    pool: str  # who comes: elderly, children or all
    area: ServiceArea


ACTIVITIES: tuple[_ActivityIdea, ...] = (
    _ActivityIdea(
        ActivityKind.GROUP_WORK,
        "独居老人互助小组",
        "རྒན་འཁོགས་རོགས་རམ་ཚོགས་ཆུང་",
        "elderly",
        ServiceArea.ELDERLY_CARE,
    ),
    _ActivityIdea(
        ActivityKind.GROUP_WORK,
        "老年人健康小组",
        "རྒན་འཁོགས་འཕྲོད་བསྟེན་ཚོགས་ཆུང་",
        "elderly",
        ServiceArea.ELDERLY_CARE,
    ),
    _ActivityIdea(
        ActivityKind.GROUP_WORK, "留守儿童成长小组", "", "children", ServiceArea.CHILD_WELFARE
    ),
    _ActivityIdea(
        ActivityKind.GROUP_WORK, "手工编织小组", "", "all", ServiceArea.COMMUNITY_GOVERNANCE
    ),
    _ActivityIdea(
        ActivityKind.COMMUNITY_ACTIVITY,
        "藏历新年慰问活动",
        "ལོ་གསར་འཚམས་འདྲི་",
        "elderly",
        ServiceArea.ELDERLY_CARE,
    ),
    _ActivityIdea(
        ActivityKind.COMMUNITY_ACTIVITY,
        "雪顿节社区联欢",
        "ཞོ་སྟོན་",
        "all",
        ServiceArea.COMMUNITY_GOVERNANCE,
    ),
    _ActivityIdea(
        ActivityKind.COMMUNITY_ACTIVITY, "重阳节敬老活动", "", "elderly", ServiceArea.ELDERLY_CARE
    ),
    _ActivityIdea(
        ActivityKind.COMMUNITY_ACTIVITY,
        "六一儿童节游园会",
        "",
        "children",
        ServiceArea.CHILD_WELFARE,
    ),
    _ActivityIdea(
        ActivityKind.POLICY_PUBLICITY,
        "惠民政策宣讲",
        "སྲིད་ཇུས་ཁྱབ་བསྒྲགས་",
        "all",
        ServiceArea.SOCIAL_ASSISTANCE,
    ),
    _ActivityIdea(
        ActivityKind.POLICY_PUBLICITY, "防范电信诈骗宣传", "", "all", ServiceArea.SOCIAL_AFFAIRS
    ),
    _ActivityIdea(
        ActivityKind.VOLUNTEER_SERVICE, "志愿者为老人理发", "", "elderly", ServiceArea.ELDERLY_CARE
    ),
    _ActivityIdea(
        ActivityKind.VOLUNTEER_SERVICE,
        "志愿者上门打扫卫生",
        "",
        "elderly",
        ServiceArea.ELDERLY_CARE,
    ),
    _ActivityIdea(ActivityKind.TRAINING, "照护技能培训", "", "all", ServiceArea.ELDERLY_CARE),
    _ActivityIdea(ActivityKind.TRAINING, "家庭急救知识培训", "", "all", ServiceArea.SOCIAL_AFFAIRS),
)
_ACTIVITY_KINDS = Weights(
    {
        ActivityKind.GROUP_WORK: 10,
        ActivityKind.COMMUNITY_ACTIVITY: 9,
        ActivityKind.POLICY_PUBLICITY: 5,
        ActivityKind.VOLUNTEER_SERVICE: 4,
        ActivityKind.TRAINING: 3,
    }
)
_HEADCOUNT = {
    ActivityKind.GROUP_WORK: (0, 4),
    ActivityKind.COMMUNITY_ACTIVITY: (10, 150),
    ActivityKind.POLICY_PUBLICITY: (10, 80),
    ActivityKind.VOLUNTEER_SERVICE: (0, 20),
    ActivityKind.TRAINING: (0, 30),
}


@dataclass(frozen=True)
class _Item:
    name: str
    unit: str
    unit_fen: int
    kind: ResourceKind
    per_person: tuple[int, int]
    pool: str
    step: int = 1


ITEMS: tuple[_Item, ...] = (
    _Item("夜灯", "个", 2_500, ResourceKind.GOODS, (1, 1), "elderly"),
    _Item("坐便椅", "把", 18_000, ResourceKind.GOODS, (1, 1), "elderly"),
    _Item("酥油", "斤", 4_500, ResourceKind.GOODS, (2, 5), "priority"),
    _Item("大米", "袋", 6_000, ResourceKind.GOODS, (1, 2), "priority"),
    _Item("棉被", "床", 16_000, ResourceKind.GOODS, (1, 1), "elderly"),
    _Item("清油", "桶", 8_500, ResourceKind.GOODS, (1, 2), "priority"),
    _Item("糌粑", "斤", 800, ResourceKind.GOODS, (5, 10), "priority"),
    _Item("砖茶", "块", 3_500, ResourceKind.GOODS, (1, 2), "priority"),
    _Item("轮椅", "辆", 68_000, ResourceKind.GOODS, (1, 1), "disability"),
    _Item("助行器", "个", 15_000, ResourceKind.GOODS, (1, 1), "elderly"),
    _Item("羽绒服", "件", 22_000, ResourceKind.GOODS, (1, 1), "priority"),
    _Item("书包", "个", 6_500, ResourceKind.GOODS, (1, 1), "children"),
    _Item("文具套装", "套", 2_500, ResourceKind.GOODS, (1, 1), "children"),
    _Item("慰问金", "元", 100, ResourceKind.CASH, (200, 1_000), "priority", step=100),
    _Item("理发服务", "次", 2_000, ResourceKind.SERVICE, (1, 1), "elderly"),
)
# Invented companies and the real kind of public bodies that give to the stations.
DONORS: dict[DonorType, tuple[str, ...]] = {
    DonorType.GOVERNMENT: ("拉萨市民政局", "{county}民政局"),
    DonorType.ENTERPRISE: ("雪域商贸有限公司", "高原阳光食品有限公司", "吉祥超市"),
    DonorType.SOCIAL_ORGANIZATION: ("拉萨市慈善总会", "西藏自治区红十字会", "爱心志愿者协会"),
    DonorType.INDIVIDUAL: ("爱心人士（匿名）", "{person}"),
    DonorType.COMMUNITY: ("{area}",),
    DonorType.OTHER: ("驻村工作队",),
}
_DONOR_TYPES = Weights(
    {
        DonorType.GOVERNMENT: 4,
        DonorType.ENTERPRISE: 4,
        DonorType.SOCIAL_ORGANIZATION: 3,
        DonorType.INDIVIDUAL: 3,
        DonorType.COMMUNITY: 2,
        DonorType.OTHER: 1,
    }
)
DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")  # categories 1–7
GRADES = ("一", "二", "三", "四")
PHONE_PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "177",
    "180",
    "182",
    "183",
    "187",
    "189",
    "191",
    "198",
    "199",
)
_RATINGS = Weights({1: 2, 2: 3, 3: 10, 4: 33, 5: 52})  # most people are satisfied
_OUTCOMES = Weights(
    {
        VisitOutcome.AT_HOME: 85,
        VisitOutcome.NOBODY_HOME: 9,
        VisitOutcome.VACANT: 3,
        VisitOutcome.REFUSED: 3,
    }
)
_PURPOSES = Weights(
    {
        VisitPurpose.ROUTINE: 50,
        VisitPurpose.FOLLOW_UP: 20,
        VisitPurpose.NEEDS_ASSESSMENT: 10,
        VisitPurpose.POLICY_OUTREACH: 12,
        VisitPurpose.EMERGENCY: 2,
    }
)
_SOURCES = Weights(
    {
        CaseSource.HOME_VISIT: 40,
        CaseSource.SELF: 20,
        CaseSource.COMMUNITY: 25,
        CaseSource.REFERRAL_IN: 10,
        CaseSource.OTHER: 5,
    }
)
_CLOSING_AFTER_EVALUATION = Weights(
    {
        ClosingReason.GOALS_MET: 70,
        ClosingReason.REFERRED_OUT: 15,
        ClosingReason.NO_LONGER_ELIGIBLE: 10,
        ClosingReason.OTHER: 5,
    }
)
_CLOSING_EARLY = Weights(
    {
        ClosingReason.CLIENT_WITHDREW: 25,
        ClosingReason.MOVED_AWAY: 20,
        ClosingReason.DECEASED: 15,
        ClosingReason.LOST_CONTACT: 15,
        ClosingReason.REFERRED_OUT: 20,
        ClosingReason.OTHER: 5,
    }
)
_TEMPLATES = Weights(
    {
        "elder_alone": 18,
        "elder_couple": 10,
        "single": 7,
        "couple": 6,
        "family": 27,
        "three_gen": 20,
        "left_behind": 10,
        "siblings": 3,
    }
)


# ---------------------------------------------------------------- people in memory


@dataclass
class _Person:
    """A resident of the batch: the search fields `index_residents` reads, plus what the
    other records of the batch need to know about them."""

    id: uuid.UUID
    station_id: uuid.UUID
    name_bo: str
    name_zh: str
    id_number: str | None
    phone: str | None
    deleted: bool
    station: _StationRef
    area: _AreaRef
    household_id: uuid.UUID
    relation: str
    birth: date
    age: int
    sex: Sex
    groups: list[str] = field(default_factory=list)  # current priority groups
    group_since: date | None = None
    visits: list[tuple[date, str | None, list[str]]] = field(default_factory=list)
    case_id: uuid.UUID | None = None
    case_opened: date | None = None

    @property
    def profile(self) -> str:
        if self.age < 16:
            return "child"
        if "disability" in self.groups:
            return "disability"
        if self.age >= 60:
            return "elderly"
        return "general"


# Insert order: referenced tables first (the rows of a kind keep their order, so a
# guardian is written before the child and a corrected note before its correction).
_TABLES: dict[str, type[Replicated]] = {
    "households": Household,
    "residents": Resident,
    "memberships": GroupMembership,
    "cases": CaseRecord,
    "case_stage_changes": CaseStageChange,
    "case_notes": CaseNote,
    "visits": HomeVisit,
    "feedback_sheets": FeedbackSheet,
    "feedback_ratings": FeedbackRating,
    "activities": Activity,
    "attendance": Attendance,
    "resource_receipts": ResourceReceipt,
    "resource_handouts": ResourceHandout,
}


@dataclass
class _Batch:
    people: list[_Person] = field(default_factory=list)
    rows: dict[str, tuple[list[Row], list[uuid.UUID]]] = field(
        default_factory=lambda: {kind: ([], []) for kind in _TABLES}
    )

    def add(self, kind: str, row: Row, record_id: uuid.UUID) -> uuid.UUID:
        rows, ids = self.rows[kind]
        rows.append(row)
        ids.append(record_id)
        return record_id

    def tables(self) -> Iterable[tuple[str, type[Replicated], list[Row], list[uuid.UUID]]]:
        for kind, model in _TABLES.items():
            rows, ids = self.rows[kind]
            yield kind, model, *_grouped_by_nulls(kind, rows, ids)


# A row that refers to a row of its own table: those come after the rows they can refer to.
_SELF_REFERENCES = {"residents": "guardian_id", "case_notes": "corrects_id"}


def _grouped_by_nulls(
    kind: str, rows: list[Row], ids: list[uuid.UUID]
) -> tuple[list[Row], list[uuid.UUID]]:
    """Rows ordered so that those with the same empty (None) fields are adjacent.

    SQLAlchemy's ORM bulk insert leaves None values out of a row's parameters and starts a
    new statement whenever the set of parameters changes from one row to the next: in
    generation order that is thousands of one-row statements per batch. Grouping (a stable
    sort, self-references last) makes it a handful of executemany calls."""
    self_ref = _SELF_REFERENCES.get(kind)

    def key(index: int) -> tuple[bool, tuple[bool, ...]]:
        row = rows[index]
        refers = self_ref is not None and row[self_ref] is not None
        return refers, tuple(value is None for value in row.values())

    order = sorted(range(len(rows)), key=key)
    return [rows[i] for i in order], [ids[i] for i in order]


# ---------------------------------------------------------------- the builder


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; zero weight gets 0)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    result = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (result[i] - shares[i], i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


class _Builder:
    def __init__(self, ctx: ServiceContext, stations: list[_StationRef], seed: int) -> None:
        self.today = ctx.today()
        self.stations = stations
        self.tag = device_tag(ctx.db, ctx.device_id)
        with ctx.db.read() as session:
            existing = session.execute(select(func.count()).select_from(Resident)).scalar_one()
            self.id_numbers: set[str] = set(
                session.scalars(select(Resident.id_number).where(Resident.id_number.is_not(None)))
            )
            numbers = session.execute(
                select(CaseRecord.station_id, CaseRecord.case_year, CaseRecord.case_number)
            ).all()
            self.sheets: dict[uuid.UUID, int] = defaultdict(int)
            for station_id, count in session.execute(
                select(FeedbackSheet.station_id, func.count()).group_by(FeedbackSheet.station_id)
            ):
                self.sheets[station_id] = count
        # The same serials as CaseService would hand out next on this laptop.
        self.case_serials: dict[tuple[uuid.UUID, int], int] = defaultdict(int)
        for station_id, year, number in numbers:
            prefix = case_number(year, self.tag, 0)[:-3]
            tail = number[len(prefix) :]
            if number.startswith(prefix) and tail.isdigit():
                key = (station_id, year)
                self.case_serials[key] = max(self.case_serials[key], int(tail))
        # Existing residents change the seed: a second run adds new people with new ids.
        self.rng = random.Random(f"demo/{seed}/{existing}")
        self._ids = random.Random(f"ids/{seed}/{existing}")
        midnight = datetime.combine(self.today, time(), tzinfo=CHINA_TZ)
        self._id_ms = int(midnight.timestamp() * 1000) & ((1 << 48) - 1)
        self._id_count = 0
        self.certificates = existing

    # ------------------------------------------------------------ helpers

    def new_id(self) -> uuid.UUID:
        """A version-7 id like the application's own, but reproducible: where the creation
        time goes, today's midnight plus one millisecond per record; the rest comes from
        the seeded generator. Time-ordered ids append to the tables' B-trees instead of
        scattering writes over them (random ids made 100,000 residents a quarter slower)."""
        self._id_count += 1
        rand = self._ids.getrandbits(74)
        value = (
            ((self._id_ms + self._id_count) << 80)
            | (0x7 << 76)  # version
            | ((rand >> 62) << 64)  # 12 random bits
            | (0b10 << 62)  # variant
            | (rand & ((1 << 62) - 1))
        )
        return uuid.UUID(int=value)

    def sorted_ids(self, count: int) -> list[uuid.UUID]:
        # Histories list the records of one transaction by id: id order must be time order
        # (it already is with `new_id`; sorting keeps it so if the id scheme changes).
        return sorted(self.new_id() for _ in range(count))

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def recent_day(self, oldest_days: int = HISTORY_DAYS, newest_days: int = 0) -> date:
        return self.today - timedelta(days=self.rng.randint(newest_days, oldest_days))

    def text(self, choice: Text, *, both: float = 0.3, tibetan: float = 0.2) -> str:
        """A text in Chinese, Tibetan or both, as the worker happened to write it."""
        zh, bo = choice
        if not bo:
            return zh
        if not zh:
            return bo
        r = self.rng.random()
        if r < tibetan:
            return bo
        if r < tibetan + both:
            return f"{zh}\n{bo}"
        return zh

    def weighted(self, table: Weights[T]) -> T:
        return table.pick(self.rng)

    def staff_pick(self, station: _StationRef, count: int) -> list[uuid.UUID]:
        return self.rng.sample(station.staff, min(count, len(station.staff)))

    # ------------------------------------------------------------ one batch

    def batch(self, size: int) -> _Batch:
        batch = _Batch()
        self.people(batch, size)
        by_station: dict[uuid.UUID, list[_Person]] = defaultdict(list)
        for person in batch.people:
            by_station[person.station.id].append(person)
        pools = [by_station.get(s.id, []) for s in self.stations]
        self.cases(batch, pools, round(size * self.rng.uniform(0.064, 0.076)))
        for person in batch.people:
            self.visits(batch, person)
        self.feedback(batch, pools, round(size * self.rng.uniform(0.68, 0.82)))
        self.activities(batch, pools, round(size * self.rng.uniform(0.034, 0.046)))
        self.resources(
            batch,
            pools,
            round(size * self.rng.uniform(0.024, 0.036)),
            round(size * self.rng.uniform(0.25, 0.35)),
        )
        return batch

    # ------------------------------------------------------------ households and residents

    def people(self, batch: _Batch, size: int) -> None:
        weights = [int(s.place.weight * 1000) for s in self.stations]
        while len(batch.people) < size:
            station = self.rng.choices(self.stations, weights=weights)[0]
            template = self.weighted(_TEMPLATES)
            members = self.household_members(template)[: size - len(batch.people)]
            self.household(batch, station, template, members)

    def household_members(self, template: str) -> list[tuple[str, int, Sex]]:
        """(relation to the head, age, sex) of each member, the head first and children
        last (their guardians must be written before them)."""
        rng = self.rng
        max_age = self.today.year - FIRST_BIRTH_YEAR - 1

        def other(sex: Sex) -> Sex:
            return "female" if sex == "male" else "male"

        def spouse_age(age: int) -> int:
            return max(18, min(max_age, age + rng.randint(-6, 4)))

        def children(youngest_parent: int, count: int, oldest: int = 30) -> list[int]:
            ages = [youngest_parent - rng.randint(20, 38) for _ in range(count)]
            return sorted((a for a in ages if 0 <= a <= oldest), reverse=True)

        head_sex: Sex = "male" if rng.random() < 0.6 else "female"
        head, spouse = HouseholdRelation.HEAD.value, HouseholdRelation.SPOUSE.value
        members: list[tuple[str, int, Sex]] = []
        if template == "elder_alone":
            members.append((head, rng.randint(60, max_age), rng.choice(SEXES)))
        elif template == "elder_couple":
            age = rng.randint(60, max_age - 2)
            members += [(head, age, head_sex), (spouse, spouse_age(age), other(head_sex))]
        elif template == "single":
            members.append((head, rng.randint(18, 59), head_sex))
        elif template == "couple":
            age = rng.randint(22, 59)
            members += [(head, age, head_sex), (spouse, spouse_age(age), other(head_sex))]
        elif template in ("family", "three_gen"):
            age = rng.randint(25, 52) if template == "family" else rng.randint(28, 55)
            second = spouse_age(age)
            members += [(head, age, head_sex), (spouse, second, other(head_sex))]
            if template == "three_gen":
                for _ in range(rng.choice((1, 1, 2))):
                    elder = min(max_age, age + rng.randint(20, 35))
                    members.append((HouseholdRelation.PARENT.value, elder, rng.choice(SEXES)))
            kids = children(min(age, second), rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
            members += [(HouseholdRelation.CHILD.value, a, rng.choice(SEXES)) for a in kids]
        elif template == "left_behind":
            age = rng.randint(52, 80)
            members.append((head, age, head_sex))
            if rng.random() < 0.6:
                members.append((spouse, spouse_age(age), other(head_sex)))
            kids = [rng.randint(2, 15) for _ in range(rng.choice((1, 2, 2, 3)))]
            members += [
                (HouseholdRelation.GRANDCHILD.value, a, rng.choice(SEXES))
                for a in sorted(kids, reverse=True)
            ]
        else:
            age = rng.randint(18, 45)
            members += [
                (head, age, head_sex),
                (
                    HouseholdRelation.SIBLING.value,
                    max(16, age + rng.randint(-8, 8)),
                    rng.choice(SEXES),
                ),
            ]
        return members[:MAX_HOUSEHOLD]

    def birth_for(self, age: int) -> date:
        birth = _shift_years(self.today, -(age + 1)) + timedelta(days=self.rng.randint(1, 365))
        first, last = date(FIRST_BIRTH_YEAR, 1, 1), date(self.today.year - 1, 12, 31)
        if birth < first:
            return first + timedelta(days=self.rng.randint(0, 364))
        return min(birth, last)

    def household(
        self,
        batch: _Batch,
        station: _StationRef,
        template: str,
        members: list[tuple[str, int, Sex]],
    ) -> None:
        rng = self.rng
        area = rng.choice(station.areas)
        number = area.households
        area.households += 1
        if area.kind == AreaKind.VILLAGE.value:
            address = f"{area.name_zh}{number // 40 + 1}组{number % 40 + 1}号"
        else:
            address = f"{area.name_zh}{number // 60 + 1}巷{number % 60 + 1}号"
        household_id = batch.add(
            "households",
            {
                "station_id": station.id,
                "area_id": area.id,
                "household_no": f"{area.code}-{number + 1:04d}",
                "address": address,
            },
            self.new_id(),
        )
        han = rng.random() < 0.15
        ethnicity = Ethnicity.TIBETAN
        if han:
            ethnicity = Ethnicity.HUI if rng.random() < 0.1 else Ethnicity.HAN
        surname = names.han_surname(rng, hui=ethnicity is Ethnicity.HUI)
        dibao = rng.random() < 0.17
        adults: list[_Person] = []
        people: list[_Person] = []
        for relation, age_wanted, sex in members:
            birth = self.birth_for(age_wanted)
            age = age_on(birth, self.today)
            if han:
                own = surname if relation != HouseholdRelation.SPOUSE else None
                name_bo, name_zh = (
                    "",
                    names.han_name(
                        rng, sex, birth.year, surname=own, hui=ethnicity is Ethnicity.HUI
                    ),
                )
            else:
                name = names.tibetan_name(rng, sex)
                script = rng.random()  # of all residents: 70% both, 10% Tibetan, 5% Chinese
                name_bo = name.bo if script < 0.9412 else ""
                name_zh = name.zh if script < 0.8235 or script >= 0.9412 else ""
            person = _Person(
                id=self.new_id(),
                station_id=station.id,
                name_bo=name_bo,
                name_zh=name_zh,
                id_number=self.id_number(station, birth, sex, han) if rng.random() < 0.4 else None,
                phone=self.phone() if rng.random() < self._phone_chance(age) else None,
                deleted=False,
                station=station,
                area=area,
                household_id=household_id,
                relation=relation,
                birth=birth,
                age=age,
                sex=sex,
            )
            row = self.resident_row(person, ethnicity, address, adults)
            batch.add("residents", row, person.id)
            batch.people.append(person)
            people.append(person)
            if age >= 18:
                adults.append(person)
        for person in people:
            self.memberships(batch, person, template, len(people), dibao)

    @staticmethod
    def _phone_chance(age: int) -> float:
        if age < 12:
            return 0.05
        if age < 18:
            return 0.5
        if age < 70:
            return 0.82
        return 0.55

    def id_number(self, station: _StationRef, birth: date, sex: Sex, han: bool) -> str | None:
        rng = self.rng
        for _ in range(20):
            if han and rng.random() < 0.6:
                region = rng.choice(OTHER_REGION_CODES)
            elif rng.random() < 0.75:
                region = station.place.county.region_code
            else:
                region = rng.choice(LHASA_REGION_CODES)
            sequence = rng.randrange(0, 1000, 2) + (1 if sex == "male" else 0)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + check_character(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number
        return None

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def resident_row(
        self, person: _Person, ethnicity: Ethnicity, address: str, adults: list[_Person]
    ) -> Row:
        rng = self.rng
        row: Row = {
            "station_id": person.station_id,
            "name_bo": person.name_bo,
            "name_zh": person.name_zh,
            "sex": person.sex,
            "ethnicity": ethnicity.value,
            "birth_date": person.birth,
            "id_number": person.id_number,
            "phone": person.phone,
            "household_id": person.household_id,
            "household_relation": person.relation,
            "area_id": person.area.id,
            "address": address,
            "legal_basis": LegalBasis.STATUTORY_DUTY.value,
            "consent_on": None,
            "consent_note": "",
            "guardian_id": None,
            "guardian_name": "",
            "guardian_phone": None,
            "guardian_relation": None,
            "notes": "",
            "form_version": 1,
        }
        if person.age < 18:
            if person.age < GUARDIAN_AGE_LIMIT or rng.random() < 0.5:
                row["legal_basis"] = LegalBasis.GUARDIAN_CONSENT.value
                row["consent_on"] = max(person.birth, self.recent_day())
                row["consent_note"] = rng.choice(("监护人签字同意。", "监护人口头同意。", ""))
            # Parents for children, grandparents for grandchildren: the adults of the home.
            relation = (
                HouseholdRelation.GRANDPARENT
                if person.relation == HouseholdRelation.GRANDCHILD
                else HouseholdRelation.PARENT
            )
            candidates = [a for a in adults if a.age - person.age >= 16]
            if candidates and rng.random() < 0.85:
                guardian = rng.choice(candidates)
                row["guardian_id"] = guardian.id
                row["guardian_relation"] = relation.value
            elif person.age < GUARDIAN_AGE_LIMIT or candidates:
                # A parent working away, not registered here: the name is typed in.
                if ethnicity is Ethnicity.TIBETAN:
                    parent = names.tibetan_name(rng, rng.choice(SEXES))
                    row["guardian_name"] = parent.bo if person.name_bo else parent.zh
                else:
                    row["guardian_name"] = names.han_name(rng, "male", person.birth.year - 28)
                row["guardian_phone"] = self.phone() if rng.random() < 0.8 else None
                row["guardian_relation"] = HouseholdRelation.PARENT.value
            if row["legal_basis"] == LegalBasis.GUARDIAN_CONSENT.value and not (
                row["guardian_id"] or row["guardian_name"]
            ):  # nobody to have consented: registered under the station's duty
                row["legal_basis"] = LegalBasis.STATUTORY_DUTY.value
                row["consent_on"] = None
        elif rng.random() < 0.15:
            row["legal_basis"] = LegalBasis.CONSENT.value
            row["consent_on"] = self.recent_day()
            row["consent_note"] = rng.choice(("本人签字同意。", "本人口头同意，工作人员记录。"))
        if rng.random() < 0.08:
            row["notes"] = rng.choice(
                (
                    "只会说藏语。",
                    "听力较差，说话需大声。",
                    "白天在外放牧，傍晚在家。",
                    "ཁ་པར་མེད།",
                    "腿脚不便，需上门服务。",
                )
            )
        return row

    def memberships(
        self, batch: _Batch, person: _Person, template: str, household_size: int, dibao: bool
    ) -> None:
        rng = self.rng
        age = person.age
        groups: list[str] = []
        if age >= 60 and household_size == 1 and rng.random() < 0.75:
            groups.append(PriorityGroup.ELDERLY_ALONE.value)
            if rng.random() < 0.2:
                groups.append(PriorityGroup.TEKUN.value)
        elif age >= 70 and template == "elder_couple" and rng.random() < 0.1:
            groups.append(PriorityGroup.ELDERLY_ALONE.value)
        left_behind = template == "left_behind" and rng.random() < 0.85
        if age < 16 and (left_behind or rng.random() < 0.03):
            groups.append(PriorityGroup.LEFT_BEHIND_CHILD.value)
        if dibao:
            groups.append(PriorityGroup.DIBAO.value)
        disability = 0.09 if age >= 60 else 0.05 if age >= 16 else 0.02
        if rng.random() < disability:
            groups.append(PriorityGroup.DISABILITY.value)
            if age >= 18 and rng.random() < 0.08 and PriorityGroup.TEKUN.value not in groups:
                groups.append(PriorityGroup.TEKUN.value)
        for group in groups:
            self.membership(batch, person, group)

    def membership(self, batch: _Batch, person: _Person, group: str) -> None:
        rng = self.rng
        today = self.today
        # Never before the person qualified: 60 for the elderly, birth for the others.
        eligible = (
            _shift_years(person.birth, 60) if group == PriorityGroup.ELDERLY_ALONE else person.birth
        )
        start = max(eligible, today - timedelta(days=rng.randint(30, 4 * 365)))
        start = min(start, today)
        end = None
        if rng.random() < 0.1 and (today - start).days > 60:
            end = self.day_between(start + timedelta(days=30), today - timedelta(days=1))
        review = None
        if end is None and rng.random() < 0.4:
            review = max(start + timedelta(days=1), today + timedelta(days=rng.randint(-30, 330)))
        certificate = ""
        note = ""
        if group in (PriorityGroup.DIBAO, PriorityGroup.TEKUN):
            self.certificates += 1
            prefix = "DB" if group == PriorityGroup.DIBAO else "TK"
            certificate = f"{prefix}{start.year}{self.certificates:06d}"
        elif group == PriorityGroup.DISABILITY:
            kind = rng.randrange(len(DISABILITY_KINDS))
            grade = rng.randrange(len(GRADES))
            note = f"{DISABILITY_KINDS[kind]}残疾{GRADES[grade]}级"
            if person.id_number:  # second-generation certificate: ID + category + grade
                certificate = f"{person.id_number}{kind + 1}{grade + 1}"
        batch.add(
            "memberships",
            {
                "station_id": person.station_id,
                "resident_id": person.id,
                "group": group,
                "start_date": start,
                "end_date": end,
                "review_on": review,
                "certificate_no": certificate,
                "note": note,
            },
            self.new_id(),
        )
        if end is None:
            person.groups.append(group)
            person.group_since = min(start, person.group_since or start)

    # ------------------------------------------------------------ visits

    def visit_count(self, person: _Person) -> int:
        rng = self.rng
        groups = person.groups
        if PriorityGroup.ELDERLY_ALONE in groups or PriorityGroup.TEKUN in groups:
            return rng.randint(8, 16)  # about monthly
        if PriorityGroup.LEFT_BEHIND_CHILD in groups:
            return rng.randint(4, 10)
        if groups:
            return rng.randint(3, 8)
        if person.relation == HouseholdRelation.HEAD:
            return rng.choice((0, 1, 2, 2, 3, 3, 4, 5))
        return rng.choice((0, 0, 0, 1, 1, 2))

    def visits(self, batch: _Batch, person: _Person) -> None:
        rng = self.rng
        count = self.visit_count(person)
        if count == 0:
            return
        first = self.today - timedelta(days=HISTORY_DAYS)
        if person.group_since is not None:
            first = max(first, person.group_since)
        first = max(first, person.birth)
        days = sorted(self.day_between(first, self.today) for _ in range(count))
        profile = person.profile
        for day in days:
            outcome = self.weighted(_OUTCOMES).value
            visitors = [str(s) for s in self.staff_pick(person.station, rng.choice((1, 2, 2)))]
            purpose = self.weighted(_PURPOSES).value
            if person.case_opened is not None and day >= person.case_opened and rng.random() < 0.5:
                purpose = VisitPurpose.CASE_WORK.value
            row: Row = {
                "station_id": person.station_id,
                "resident_id": person.id,
                "household_id": person.household_id,
                "visit_date": day,
                "visitor_ids": visitors,
                "companions": rng.choice(COMPANIONS),
                "outcome": outcome,
                "purpose": purpose,
                "situation": "",
                "needs": "",
                "services": [],
                "services_note": "",
                "follow_up": "",
                "next_visit_on": None,
                "form_version": 1,
            }
            if outcome == VisitOutcome.AT_HOME:
                services = rng.sample(
                    [
                        ServiceType.VISIT_CHECKIN,
                        ServiceType.POLICY_CONSULTATION,
                        ServiceType.INVESTIGATION,
                        ServiceType.PSYCHOLOGICAL_SUPPORT,
                        ServiceType.RESOURCE_LINKAGE,
                        ServiceType.MEDIATION,
                    ],
                    rng.choice((1, 1, 2)),
                )
                if ServiceType.VISIT_CHECKIN not in services and rng.random() < 0.6:
                    services[0] = ServiceType.VISIT_CHECKIN
                row |= {
                    "situation": self.text(rng.choice(SITUATION[profile])),
                    "needs": self.text(rng.choice(NEEDS[profile])) if rng.random() < 0.6 else "",
                    "services": [s.value for s in services],
                    "services_note": rng.choice(SERVICES_NOTE),
                    "follow_up": self.text(rng.choice(FOLLOW_UP)),
                }
                if rng.random() < 0.75:
                    row["next_visit_on"] = day + timedelta(days=rng.randint(14, 60))
                person.visits.append((day, services[0].value, visitors))
            else:
                row["situation"] = self.text(rng.choice(NOT_AT_HOME[outcome]))
                if outcome == VisitOutcome.NOBODY_HOME and rng.random() < 0.6:
                    row["next_visit_on"] = day + timedelta(days=rng.randint(3, 14))
            batch.add("visits", row, self.new_id())

    # ------------------------------------------------------------ feedback

    _AREA_OF_PROFILE: ClassVar[dict[str, ServiceArea]] = {
        "elderly": ServiceArea.ELDERLY_CARE,
        "child": ServiceArea.CHILD_WELFARE,
        "disability": ServiceArea.SOCIAL_ASSISTANCE,
        "general": ServiceArea.SOCIAL_ASSISTANCE,
    }

    def feedback(self, batch: _Batch, pools: list[list[_Person]], total: int) -> None:
        rng = self.rng
        for station, pool, count in zip(
            self.stations, pools, _allocate(total, [len(p) for p in pools]), strict=True
        ):
            visited = [p for p in pool if p.visits]
            for _ in range(count):
                person = rng.choice(visited or pool)
                anonymous = rng.random() < 0.25
                service_type: str | None = None
                collector = rng.choice(station.staff)
                if person.visits and rng.random() < 0.85:
                    day, service_type, visitors = rng.choice(person.visits)
                    # Someone other than the visitors collects the sheet when possible.
                    others = [s for s in station.staff if str(s) not in visitors]
                    collector = rng.choice(others or station.staff)
                else:
                    day = self.recent_day()
                    service_type = rng.choice(list(ServiceType)).value
                collected = min(self.today, day + timedelta(days=rng.randint(0, 10)))
                case_id = (
                    person.case_id
                    if (
                        person.case_opened is not None
                        and person.case_opened <= day
                        and rng.random() < 0.5
                    )
                    else None
                )
                self.sheets[station.id] += 1
                comment = self.text(rng.choice(COMMENTS)) if rng.random() < 0.3 else ""
                sheet_id = batch.add(
                    "feedback_sheets",
                    {
                        "station_id": station.id,
                        "service_area": self._AREA_OF_PROFILE[person.profile].value,
                        "service_type": service_type,
                        "service_date": day,
                        "collected_on": collected,
                        "collected_by_id": collector,
                        "resident_id": None if anonymous else person.id,
                        "case_id": None if anonymous else case_id,
                        "sheet_no": f"SF-{station.code}-{self.sheets[station.id]:06d}",
                        "comments": comment,
                        "form_version": 1,
                    },
                    self.new_id(),
                )
                answered = [d for d in FeedbackDimension if rng.random() < 0.9]
                if not answered and not comment:
                    answered = [FeedbackDimension.OVERALL]
                for dimension in answered:
                    level = self.weighted(_RATINGS)
                    batch.add(
                        "feedback_ratings",
                        {
                            "station_id": station.id,
                            "sheet_id": sheet_id,
                            "dimension": dimension.value,
                            "level": level,
                        },
                        self.new_id(),
                    )

    # ------------------------------------------------------------ cases

    def cases(self, batch: _Batch, pools: list[list[_Person]], total: int) -> None:
        rng = self.rng
        for station, pool, count in zip(
            self.stations, pools, _allocate(total, [len(p) for p in pools]), strict=True
        ):
            priority = [p for p in pool if p.groups]
            others = [p for p in pool if not p.groups]
            rng.shuffle(priority)
            rng.shuffle(others)
            clients: list[_Person] = []
            for _ in range(min(count, len(pool))):
                first, second = (priority, others) if rng.random() < 0.75 else (others, priority)
                clients.append((first or second).pop())
            planned = sorted(
                ((self.recent_day(700, 3), client) for client in clients),
                key=lambda pair: pair[0],
            )
            for opened, client in planned:  # numbered in the order they were opened
                self.case(batch, station, client, max(opened, client.birth))

    def case(self, batch: _Batch, station: _StationRef, client: _Person, opened: date) -> None:
        rng = self.rng
        today = self.today
        worker = rng.choice(station.workers)
        key = (station.id, opened.year)
        self.case_serials[key] += 1
        number = case_number(opened.year, self.tag, self.case_serials[key])
        profile = client.profile
        # Walk the stages the way a worker would, within the rules of domain.casework.
        stage = CaseStage.INTAKE
        history: list[tuple[str | None, str, date, str]] = [
            (None, stage.value, opened, STAGE_NOTES[stage.value])
        ]
        fields: Row = {
            "closed_on": None,
            "closing_reason": None,
            "closing_note": "",
            "referral_to": "",
            "referral_on": None,
            "referral_note": "",
            "reopen_count": 0,
        }
        day = opened
        reached = 0
        for _ in range(rng.randint(0, 9)):
            day += timedelta(days=rng.randint(4, 40))
            if day > today:
                break
            target, note = self.next_stage(stage)
            if target is None:
                break
            if target is CaseStage.CLOSED:
                reason = self.closing_reason(stage)
                if reason is ClosingReason.REFERRED_OUT and not fields["referral_to"]:
                    fields |= {
                        "referral_to": rng.choice(REFERRAL_TO),
                        "referral_on": day,
                        "referral_note": "已电话联系接收机构，并送交材料。",
                    }
                note = CLOSING_NOTES[reason.value]
                if reason is ClosingReason.REFERRED_OUT:
                    note = f"已转介至{fields['referral_to']}，结案。"
                fields |= {"closed_on": day, "closing_reason": reason.value, "closing_note": note}
            elif stage is CaseStage.CLOSED:
                fields |= {
                    "closed_on": None,
                    "closing_reason": None,
                    "reopen_count": fields["reopen_count"] + 1,
                }
            assert can_move(stage, target)
            history.append((stage.value, target.value, day, note))
            stage = target
            if target in OPEN_STAGES:
                reached = max(reached, OPEN_STAGES.index(target))
        if stage is not CaseStage.CLOSED and not fields["referral_to"] and rng.random() < 0.08:
            fields |= {
                "referral_to": rng.choice(REFERRAL_TO),
                "referral_on": self.day_between(opened, today),
                "referral_note": "协助案主到接收机构办理手续。",
            }
        case_id = batch.add(
            "cases",
            {
                "station_id": station.id,
                "case_year": opened.year,
                "case_number": number,
                "resident_id": client.id,
                "worker_id": worker,
                "source": self.weighted(_SOURCES).value,
                "service_area": self._AREA_OF_PROFILE[profile].value,
                "presenting_problem": self.text(rng.choice(PROBLEM[profile])),
                "assessment": rng.choice(ASSESSMENT) if reached >= 1 else "",
                "goals": rng.choice(GOALS) if reached >= 2 else "",
                "plan": rng.choice(PLAN) if reached >= 2 else "",
                "stage": stage.value,
                "opened_on": opened,
                **fields,
                "form_version": 1,
            },
            self.new_id(),
        )
        client.case_id = case_id
        client.case_opened = opened
        for change_id, (from_stage, to_stage, changed_on, note) in zip(
            self.sorted_ids(len(history)), history, strict=True
        ):
            batch.add(
                "case_stage_changes",
                {
                    "station_id": station.id,
                    "case_id": case_id,
                    "from_stage": from_stage,
                    "to_stage": to_stage,
                    "changed_on": changed_on,
                    "changed_by_id": worker,
                    "note": note,
                },
                change_id,
            )
        last = fields["closed_on"] or today
        self.case_notes(batch, station, case_id, worker, opened, last, len(history))

    def next_stage(self, stage: CaseStage) -> tuple[CaseStage | None, str]:
        rng = self.rng
        if stage is CaseStage.CLOSED:
            return (REOPEN_STAGE, REOPEN_NOTE) if rng.random() < 0.25 else (None, "")
        index = OPEN_STAGES.index(stage)
        r = rng.random()
        if stage is CaseStage.EVALUATION:
            if r < 0.7:
                return CaseStage.CLOSED, ""
            return CaseStage.INTERVENTION, BACK_NOTE
        if r < 0.05:
            return CaseStage.CLOSED, ""
        if r < 0.12 and index > 0:
            return OPEN_STAGES[index - 1], BACK_NOTE
        if r < 0.24:
            return None, ""  # the case stays where it is for now
        following = OPEN_STAGES[index + 1]
        return following, STAGE_NOTES[following.value]

    def closing_reason(self, stage: CaseStage) -> ClosingReason:
        if stage is CaseStage.EVALUATION:
            return self.weighted(_CLOSING_AFTER_EVALUATION)
        return self.weighted(_CLOSING_EARLY)

    def case_notes(
        self,
        batch: _Batch,
        station: _StationRef,
        case_id: uuid.UUID,
        worker: uuid.UUID,
        opened: date,
        last: date,
        moves: int,
    ) -> None:
        rng = self.rng
        count = rng.randint(1, 2 + moves)
        days = sorted(self.day_between(opened, last) for _ in range(count))
        ids = self.sorted_ids(count)
        for index, (note_id, day) in enumerate(zip(ids, days, strict=True)):
            corrects = None
            body = self.text(rng.choice(NOTE_BODIES))
            if index > 0 and rng.random() < 0.05:
                corrects = ids[index - 1]
                body = rng.choice(CORRECTIONS)
            author = worker if rng.random() < 0.8 else rng.choice(station.staff)
            batch.add(
                "case_notes",
                {
                    "station_id": station.id,
                    "case_id": case_id,
                    "written_on": day,
                    "author_id": author,
                    "body": body,
                    "corrects_id": corrects,
                },
                note_id,
            )

    # ------------------------------------------------------------ activities

    def activities(self, batch: _Batch, pools: list[list[_Person]], total: int) -> None:
        rng = self.rng
        weights = [len(p) if len(p) >= 5 else 0 for p in pools]
        for station, pool, count in zip(
            self.stations, pools, _allocate(total, weights), strict=True
        ):
            for _ in range(count):
                kind = self.weighted(_ACTIVITY_KINDS)
                idea = rng.choice([a for a in ACTIVITIES if a.kind is kind])
                title = idea.title_zh
                if idea.title_bo:
                    title = self.text((idea.title_zh, idea.title_bo), both=0.0, tibetan=0.25)
                    if rng.random() < 0.4:
                        title = f"{idea.title_bo} {idea.title_zh}"
                if kind is ActivityKind.GROUP_WORK:
                    title += f"（第{rng.randint(1, 8)}次）"
                area = rng.choice(station.areas)
                square = "村委会会议室" if area.kind == AreaKind.VILLAGE else "社区广场"
                place = rng.choice(
                    (f"{area.name_zh}活动室", f"{station.place.name_zh}社会工作站", square)
                )
                low, high = _HEADCOUNT[kind]
                activity_id = batch.add(
                    "activities",
                    {
                        "station_id": station.id,
                        "kind": kind.value,
                        "title": title,
                        "held_on": self.recent_day(),
                        "place": place,
                        "area_id": area.id,
                        "service_area": idea.area.value,
                        "description": f"{idea.title_zh}，由社工站组织，{area.name_zh}居民参加。",
                        "headcount_other": rng.randint(low, high),
                        "form_version": 1,
                    },
                    self.new_id(),
                )
                wanted = self.pool(pool, idea.pool)
                if len(wanted) < 5:
                    wanted = pool
                for person in rng.sample(wanted, min(len(wanted), rng.randint(5, 40))):
                    batch.add(
                        "attendance",
                        {
                            "station_id": station.id,
                            "activity_id": activity_id,
                            "resident_id": person.id,
                        },
                        attendance_id(activity_id, person.id),
                    )

    @staticmethod
    def pool(people: list[_Person], kind: str) -> list[_Person]:
        if kind == "elderly":
            return [p for p in people if p.age >= 60]
        if kind == "children":
            return [p for p in people if p.age < 16]
        if kind == "disability":
            return [p for p in people if PriorityGroup.DISABILITY in p.groups]
        if kind == "priority":
            return [p for p in people if p.groups]
        return people

    # ------------------------------------------------------------ resources

    def resources(
        self, batch: _Batch, pools: list[list[_Person]], receipts: int, handouts: int
    ) -> None:
        rng = self.rng
        per_station = _allocate(receipts, [len(p) for p in pools])
        handed = _allocate(
            handouts, [len(p) if n else 0 for p, n in zip(pools, per_station, strict=True)]
        )
        for station, pool, count, quota in zip(
            self.stations, pools, per_station, handed, strict=True
        ):
            if count == 0:
                continue
            quotas = _allocate(quota, [rng.randint(1, 4) for _ in range(count)])
            for share in quotas:
                self.receipt(batch, station, pool, share)

    def receipt(self, batch: _Batch, station: _StationRef, pool: list[_Person], share: int) -> None:
        rng = self.rng
        item = rng.choice(ITEMS)
        received = self.recent_day(HISTORY_DAYS, 0)
        donor_type = self.weighted(_DONOR_TYPES)
        donor = rng.choice(DONORS[donor_type]).format(
            county=station.place.county.name_zh,
            person=names.tibetan_name(rng, rng.choice(SEXES)).zh,
            area=rng.choice(station.areas).name_zh
            + ("村委会" if station.areas[0].kind == AreaKind.VILLAGE else "居委会"),
        )
        recipients = self.pool(pool, item.pool)
        if len(recipients) < share:
            recipients = [p for p in pool if p.groups] or pool
        chosen = [rng.choice(recipients) for _ in range(share)] if recipients else []
        low, high = item.per_person
        amounts = [rng.randrange(low, high + 1, item.step) for _ in chosen]
        given = sum(amounts)
        # Some donations are handed out in full, most leave something in the store.
        left = 0 if rng.random() < 0.4 else rng.randint(1, max(1, given // 3) + high)
        if given == 0:
            left = max(left, high * rng.randint(5, 20))
        receipt_id = batch.add(
            "resource_receipts",
            {
                "station_id": station.id,
                "received_on": received,
                "donor_name": donor,
                "donor_type": donor_type.value,
                "kind": item.kind.value,
                "item": item.name,
                "quantity": given + left,
                "unit": item.unit,
                "unit_value_fen": item.unit_fen,
                "note": rng.choice(("", "", "附捐赠清单一份。", "已入库登记。")),
            },
            self.new_id(),
        )
        latest = min(self.today, received + timedelta(days=120))
        for person, amount in zip(chosen, amounts, strict=True):
            batch.add(
                "resource_handouts",
                {
                    "station_id": station.id,
                    "receipt_id": receipt_id,
                    "resident_id": person.id,
                    "handed_on": self.day_between(received, latest),
                    "kind": item.kind.value,
                    "item": item.name,
                    "quantity": amount,
                    "unit": item.unit,
                    "unit_value_fen": item.unit_fen,
                    "handed_by_id": rng.choice(station.staff),
                    "note": rng.choice(("", "", "本人签字领取。", "家属代领。")),
                },
                self.new_id(),
            )
