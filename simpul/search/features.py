"""What search does beyond matching words as typed, each behind a switch.

The product runs with every feature on (``ALL``). The switches exist so that the tests can turn
one feature off at a time and show that some test notices (``tests/search/test_ablation.py``):
evidence that cannot fail proves nothing. Analysis happens in Simpul before indexing, so the same
``Features`` value goes to ``document`` (indexing) and to ``build_query`` (searching)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Features:
    stemming: bool = True  # affixes conflated: pendaftaran meets daftar
    synonyms: bool = True  # synonyms and abbreviations (synonyms-id.txt): akte meets akta
    stopwords: bool = True  # function words (stopwords-id.txt) are not search terms
    typos: bool = True  # unknown words corrected towards the index's vocabulary (spelling.py)
    english: bool = True  # English names are searchable; English queries read by the lexicon
    area_reach: bool = (
        True  # an area filter reaches up the region tree (and down, for what lies within)
    )
    area_rank: bool = True  # services of the area asked for rank above wider ones
    field_boosts: bool = True  # names count most, then keywords, English names, outputs...

    def without(self, name: str) -> Features:
        return replace(self, **{name: False})


ALL = Features()
NAMES = tuple(f.name for f in fields(Features))
