"""The two sides of the zone, and everything hetao says about each in one table.

Examples
--------
>>> SIDES["hong_kong"].grid_crs
'EPSG:2326'
>>> [side.name_en for side in SIDES.values()]
['Hong Kong side', 'Shenzhen side']
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["Side", "SideInfo", "SIDES", "CONTEXT_COLOUR"]

#: A side of the Shenzhen River, as the manifest names it.
Side = Literal["hong_kong", "shenzhen"]


class SideInfo(NamedTuple):
    """What hetao shows and uses for one side.

    Attributes
    ----------
    id : the side's id in the manifest.
    name_en, name_zh : the side's name (the park's), in English and Chinese.
    lang : the BCP 47 tag of the Chinese name (traditional in Hong Kong, simplified in Shenzhen).
    grid_crs : the side's official projected grid, where surveys quote areas.
    colour : the side's colour on the map and the figure (Okabe-Ito, colour-blind safe).
    """

    id: Side
    name_en: str
    name_zh: str
    lang: str
    grid_crs: str
    colour: str


#: The two sides, Hong Kong first.
SIDES: dict[str, SideInfo] = {
    "hong_kong": SideInfo("hong_kong", "Hong Kong side", "香港園區", "zh-Hant-HK", "EPSG:2326", "#0072B2"),
    "shenzhen": SideInfo("shenzhen", "Shenzhen side", "深圳园区", "zh-Hans-CN", "EPSG:4547", "#D55E00"),
}

#: The colour of context layers (the border, the Hong Kong boundary).
CONTEXT_COLOUR = "#4D4D4D"
