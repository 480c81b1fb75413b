"""The fishbone of one live deal, laid out for inline SVG: four bones, members nearest the axis first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kamengine.engine.model.fields import GROUPS
from kamengine.engine.model.snapshot import Opportunity

from .powermap import Card

GROUP_NAMES = {
    "commercial": "Commercial evaluation",
    "technical": "Technical evaluation",
    "selection": "Selection decision",
    "final": "Final decision",
}
ROW = 30  # px between members along a bone
SLANT = 0.45  # how far a bone leans back per px of height
BONE_GAP = 330  # px between the two pairs of bones
LEFT = 300  # px of room left of the first pair for its labels
HEAD = 210  # px of the head (the deal)
MAX_LABEL = 34  # characters of a name on a bone; the whole name is its tooltip


@dataclass(frozen=True)
class Member:
    """One person on a bone, at the point where their label sits."""

    card: Card
    proximity: int
    key: bool  # nearest the axis in this group: the group's key person
    x: float
    y: float

    @property
    def label(self) -> str:
        name = self.card.name if len(self.card.name) <= MAX_LABEL else self.card.name[: MAX_LABEL - 1] + "…"
        return f"{name} ({self.card.role or '-'})"

    @property
    def supporter(self) -> bool:
        return self.card.stance >= 1


@dataclass(frozen=True)
class Bone:
    """One decision group: a line from the axis out to its name, its members along it."""

    group: str
    name: str
    x1: float  # on the axis
    y1: float
    x2: float  # the far end, where the group's name is
    y2: float
    members: tuple[Member, ...]
    above: bool

    @property
    def supporters(self) -> int:
        return sum(1 for m in self.members if m.supporter)


@dataclass(frozen=True)
class Fishbone:
    """A deal's whole drawing: its size, the axis, the head and the four bones in order toward the head."""

    width: float
    height: float
    axis_y: float
    head_x: float
    bones: tuple[Bone, ...]

    @property
    def members(self) -> tuple[Member, ...]:
        return tuple(m for bone in self.bones for m in bone.members)


def fishbone(deal: Opportunity, by_id: Mapping[str, Card]) -> Fishbone:
    """Lay out ``deal``'s decision groups; a group the snapshot lists twice is one bone, a missing one an empty bone."""
    order = {contact_id: index for index, contact_id in enumerate(by_id)}
    people: dict[str, list[tuple[int, str]]] = {group: [] for group in GROUPS}
    for listed in deal.decision_groups:
        seen = {contact_id for _, contact_id in people[listed.group]}
        for m in listed.members:
            if m.contact_id in by_id and m.contact_id not in seen:
                seen.add(m.contact_id)
                people[listed.group].append((m.proximity, m.contact_id))
    for members_of in people.values():
        members_of.sort(key=lambda row: (row[0], order[row[1]]))
    # Bones in pairs, toward the head: commercial above and technical below, then selection and final.
    rows_above = max(len(people["commercial"]), len(people["selection"]), 1)
    rows_below = max(len(people["technical"]), len(people["final"]), 1)
    axis_y = (rows_above + 1) * ROW + 24
    height = axis_y + (rows_below + 1) * ROW + 24
    bones = []
    for index, group in enumerate(GROUPS):
        above = index % 2 == 0
        rows = rows_above if above else rows_below
        x1 = LEFT + (index // 2) * BONE_GAP + rows * ROW * SLANT
        sign = -1 if above else 1
        members = []
        nearest = people[group][0][0] if people[group] else None
        for step, (proximity, contact_id) in enumerate(people[group], start=1):
            x, y = x1 - step * ROW * SLANT, axis_y + sign * step * ROW
            members.append(Member(by_id[contact_id], proximity, proximity == nearest, round(x, 1), round(y, 1)))
        length = (rows + 1) * ROW
        x2, y2 = x1 - length * SLANT, axis_y + sign * length
        bones.append(Bone(group, GROUP_NAMES[group], round(x1, 1), axis_y, round(x2, 1), y2, tuple(members), above))
    head_x = LEFT + BONE_GAP + max(rows_above, rows_below) * ROW * SLANT + 60
    return Fishbone(round(head_x + HEAD, 1), height, axis_y, round(head_x, 1), tuple(bones))
