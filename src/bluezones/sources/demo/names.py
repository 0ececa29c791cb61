"""Invented Dutch-sounding place names for the demo country.

Names are built from syllables so that they read as Dutch (or Frisian) without
naming a real place; a few carry an apostrophe (``'s-Gravenbroek``) or
diacritics (``Súdwest-Wâldlân``) so that code handling names meets them.
Every function draws from the ``numpy`` generator it is given and keeps a set of
names already used, so a country never has two places with the same name.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["NameBook"]

_ROOTS = (
    "Aal", "Bre", "Cul", "Dok", "Ees", "Fran", "Gor", "Har", "Hel", "Kam", "Lem", "Mep", "Nij",
    "Olde", "Put", "Rijs", "Scha", "Ster", "Twel", "Ulf", "Vree", "Wer", "Zwar", "Bor", "Dren",
    "Gaas", "Hoog", "Lich", "Mar", "Nun", "Oos", "Raal", "Sleen", "Tub", "Valk", "Wes", "Zee",
    "Ame", "Bun", "Dal", "Eer", "Gen", "Hul", "Lut", "Mid", "Ros", "Sus", "Ter", "Vel", "Wou",
    "Ech", "Mol", "Bath", "Hen", "Kol", "Lin", "Ravens",
)  # fmt: skip
_SUFFIXES = (
    "ingen", "um", "dam", "veen", "horst", "wijk", "hoven", "beek", "loo", "dorp", "dijk",
    "sel", "erwolde", "kerk", "haar", "broek", "zande", "meer", "lo", "rode", "stede", "hout",
    "mond", "gein", "brugge", "huizen", "oord", "donk", "schot", "burg",
)  # fmt: skip
_FRISIAN_ROOTS = (
    "Eas", "Wes", "Dantu", "Tytsje", "Smel", "Opster", "Ljou", "Snit", "Harns", "Drach",
    "Hear", "Grou", "Jirns", "Boar", "Wâld", "Sú", "Noar", "Makk", "Wyt", "Feart",
)  # fmt: skip
_FRISIAN_SUFFIXES = (
    "mar", "wâld", "fean", "dyk", "terp", "ingea", "stera", "lân", "wert", "rip", "hûs",
)  # fmt: skip
_APOSTROPHE_STEMS = ("Graven", "Hertogen", "Heeren", "Konings", "Jacobs", "Gravel")
# Endings chosen so that no famous real name ('s-Gravenhage, 's-Hertogenbosch) comes out.
_APOSTROPHE_ENDS = ("broek", "woude", "dijk", "hoeven", "veen")
_DIRECTIONS = ("Noord", "Oost", "Zuid", "West", "Midden")
_FRISIAN_DIRECTIONS = ("Súdwest", "Noardeast", "Súdeast", "Noardwest")
_LANDSCAPES = ("Veluwe", "Kempen", "Waard", "Peel", "Achterhoek", "Vallei", "Delta", "Heuvelland")
_ARTICLES = {"Heuvelland": "Het"}  # the others take "De"
_WIJK_WORDS = ("Centrum", "Buitengebied", "Bedrijventerrein", "Kwartier", "Park", "Haven")

# Shares of names of a special style: apostrophe names among all names, Frisian
# names among names in the north-west of the north (the Fryslân-like area).
APOSTROPHE_SHARE = 0.02
FRISIAN_SHARE = 0.6
QUARTER_NAME_SHARE = 0.3  # wijken named as a quarter of their gemeente, not a village
MERGER_STYLES = ("direction", "pair", "land", "article")


class NameBook:
    """Unique invented names, drawn from one random generator.

    Parameters
    ----------
    rng
        The generator every draw comes from (keeps the country deterministic).
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def _unique(self, make: Callable[[], str]) -> str:
        for attempt in range(1000):
            name = make()
            if attempt > 50:
                name = f"{name} {attempt % 9 + 1}"
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("no unique name found")  # pragma: no cover - 1000 draws never all clash

    def place(self, *, frisian: bool = False) -> str:
        """A gemeente or village name; Frisian-style when ``frisian``."""

        def make() -> str:
            if frisian and self.rng.random() < FRISIAN_SHARE:
                return self._pick(_FRISIAN_ROOTS) + self._pick(_FRISIAN_SUFFIXES)
            if self.rng.random() < APOSTROPHE_SHARE:
                return "'s-" + self._pick(_APOSTROPHE_STEMS) + self._pick(_APOSTROPHE_ENDS)
            return self._pick(_ROOTS) + self._pick(_SUFFIXES)

        return self._unique(make)

    def merger(self, parts: list[str], *, frisian: bool = False) -> str:
        """The new name of a merger of the gemeenten called ``parts``."""

        def make() -> str:
            style = self._pick(MERGER_STYLES)
            if frisian:
                return self._pick(_FRISIAN_DIRECTIONS) + "-" + self.place_stem(frisian=True)
            if style == "direction":
                return self._pick(_DIRECTIONS) + "-" + self.place_stem()
            if style == "pair" and len(parts) >= 2:
                return f"{parts[0]} en {parts[1]}"
            if style == "land":
                return "Land van " + parts[0]
            landscape = self._pick(_LANDSCAPES)
            return f"{_ARTICLES.get(landscape, 'De')} {landscape}"

        return self._unique(make)

    def place_stem(self, *, frisian: bool = False) -> str:
        """A place-like word without registering it (a part of a longer name)."""
        if frisian:
            return self._pick(_FRISIAN_ROOTS) + "lân"
        return self._pick(_ROOTS) + self._pick(_SUFFIXES)

    def region(self) -> str:
        """A jeugdregio name such as ``Noord-Kempen``."""
        return self._unique(lambda: self._pick(_DIRECTIONS) + "-" + self._pick(_LANDSCAPES))

    def wijk(self, gemeente: str, number: int) -> str:
        """A wijk name: the first wijk is the centre, others are villages or quarters."""
        if number == 0:
            return f"{gemeente} {_WIJK_WORDS[0]}"
        if self.rng.random() < QUARTER_NAME_SHARE:
            return f"{gemeente} {self._pick(_DIRECTIONS)} {self._pick(_WIJK_WORDS[1:])}"
        return self._pick(_ROOTS) + self._pick(_SUFFIXES)
