"""How each savings figure is counted (DOMAIN.md's "How each baseline is counted is explicit
configuration"): :class:`CountingRules`, whose fields quote the definition each one implements, and
the kinds of fact they select (why the applicant came, the channel, what became of a material).
Plain Python: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.domain.model import TaskKind
from engine.domain.savings_published import PUBLISHED_FIGURE_NAMES


class TripKind(StrEnum):
    """Why the applicant came to the window, as the clerk records the visit."""

    INTAKE = "intake"  # 提交申请
    SUPPLY = "supply"  # 补交材料: supplying tolerated (容缺) or corrected (补正) materials
    PICKUP = "pickup"  # 领取结果
    CONSULTATION = "consultation"  # 咨询, before applying


class Channel(StrEnum):
    """How the application came in (受理渠道); the values are those of the case's ``channel``."""

    WINDOW = "window"
    ONLINE = "online"


class MaterialUse(StrEnum):
    """What became of one checklist material; the values are the window's checklist statuses."""

    SUBMITTED = "submitted"  # handed over on paper (or scanned) at the window
    ELICENCE = "elicence"  # replaced by an e-licence (免提交)
    SHARED = "shared"  # replaced by a registry record the government holds (共享核验, 免提交)
    COMMITMENT = "commitment"  # replaced by a written commitment (告知承诺)
    TOLERATED = "tolerated"  # accepted with a gap (容缺受理), supplied later
    MISSING = "missing"


class TimeLimit(StrEnum):
    """Which limit of an item stands for "that item done alone" (see ``CountingRules.time_limit``)."""

    PROMISED = "promised"  # the catalogue's separate_days, else 承诺时限, else 法定时限
    STATUTORY = "statutory"  # 法定时限, else the catalogue's separate_days, else 承诺时限


class TimeBaseline(StrEnum):
    SUM = "sum"  # the items one after another
    CHAIN = "chain"  # only the longest chain of ``requires``; the rest assumed to overlap


@dataclass(frozen=True)
class CountingRules:
    """How each figure is counted. The defaults are DOMAIN.md's definitions (every baseline summed
    over the bundle's items); changing a rule is a deliberate, reported choice of the deployment."""

    counted_trip_kinds: frozenset[TripKind] = frozenset({TripKind.INTAKE, TripKind.SUPPLY, TripKind.PICKUP})
    """Trips: "window visits actually recorded". Intake, each visit to supply materials and pickup count;
    a consultation before applying does not, because the baseline (2 per item: submit and collect,
    CATALOGUE.md) does not count consultations either."""
    online_submission_trips: int = 0
    """Trips added for a case submitted online: "0 for online + mailed results" (DOMAIN.md)."""
    mailed_result_trips: int = 0
    """Trips added for results sent by mail: 0, as DOMAIN.md says."""
    elicence_result_trips: int = 0
    """Trips added for results issued as e-licences: 0, like mailed results."""
    counted_step_kinds: frozenset[TaskKind] = frozenset(TaskKind)
    """Steps: "human steps the case actually went through": every completed human task (intake,
    each department's approval, corrections, pickup)."""
    approvals_as_one_step: bool = False
    """True counts the parallel department reviews (后台并联审批) as one step, as the applicant
    sees them; DOMAIN.md counts each human step, so False."""
    exclude_pauses: bool = True
    """Time: "working days from acceptance to results ready, less the days on which every open
    approval was paused" (行政许可法 art. 45: special procedures are not counted in a limit). False
    counts those days in the case's time, and then in its baseline too: the items done separately
    would go through the same procedures, whose days no limit counts, so counting them on one side
    only would make a negative saving out of the rule."""
    time_limit: TimeLimit = TimeLimit.PROMISED
    """Time baseline, per item: how long that item takes when applied for alone. PROMISED (DOMAIN.md):
    the catalogue's ``separate_days`` (a sourced or estimated figure of separate handling) when the
    item has one; else its promised limit (承诺时限), what an applicant doing it alone is told to
    expect, when above 0; else its statutory limit (法定时限) when above 0. A promise of 0 (当场办结)
    is not the item's separate handling time: done alone, the applicant still applies, waits and
    collects. STATUTORY: the statutory limit first, then ``separate_days``, then the promise."""
    least_item_days: int = 1
    """Time baseline: the fewest working days one item counts, and what an item with none of those
    figures counts (or only zeros): an on-the-spot item still takes the applicant a day when done
    alone. The case's time counts from acceptance, the acceptance day not counted."""
    time_baseline: TimeBaseline = TimeBaseline.SUM
    """"The items done one after another: sum of promised limits (or of dependencies' chain)"."""
    count_elicence_materials: bool = False
    """Materials: "distinct materials actually submitted (after de-duplication, e-licences and
    commitments)": a material an e-licence replaces is not submitted, so it does not count."""
    count_shared_materials: bool = False
    """A material a registry record replaces (共享核验) is not submitted either: it does not count."""
    count_commitment_materials: bool = False
    """A material a written commitment replaces (告知承诺) does not count either (same definition)."""
    count_tolerated_materials: bool = True
    """A material accepted with a gap (容缺) is still submitted, later: it counts."""
    count_prefilled_fields: bool = False
    """Fields: "fields the applicant actually had to fill (not pre-filled)"."""
    published_baselines: frozenset[str] = frozenset()
    """Figures whose baseline is the bundle's published "before" figure when it has one: the first
    entry of the figure (bpmn/<code>/bundle.json ``published``) whose source published both a
    "before" and an "after" (time in working days), never one source's "before" with another's
    "after" (engine.domain.savings_published); ``baseline_sources`` names the place. Off by
    default: several published figures describe another region's composition of the bundle (新生儿's
    come from a 7-item bundle, ours has 9), and sources count steps as the applicant sees them
    (应城 5→2), not each human task as ``counted_step_kinds`` does, so DOMAIN.md's item sums are
    the honest baseline and the published figures are shown beside them, not in their place."""

    def __post_init__(self) -> None:
        unknown = set(self.published_baselines) - set(PUBLISHED_FIGURE_NAMES)
        if unknown:
            raise ValueError(f"no published baseline for {sorted(unknown)}: only {sorted(PUBLISHED_FIGURE_NAMES)}")
        if min(self.online_submission_trips, self.mailed_result_trips, self.elicence_result_trips) < 0:
            raise ValueError("trips added for a channel or a delivery must not be negative")
        if self.least_item_days < 0:
            raise ValueError("an item's working days must not be negative")


DEFAULT_RULES = CountingRules()
