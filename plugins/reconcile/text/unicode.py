"""Unicode for Vietnamese text: one normal form, a folded form for comparison, legacy repair.

Feeds arrive in NFC, NFD, all capitals, without diacritics, or in the 8-bit font encodings
of old desktop software (TCVN3/ABC and VNI-Windows) read as Windows-1252. Everything that
compares text goes through :func:`fold`, so that these spellings meet; :func:`repair_legacy`
turns legacy text back into Unicode before that, because folding mojibake loses the letters.

Import these names from here; each idea has a module of its own: ``folding`` (the
normal and folded forms), ``syllables`` (what a Vietnamese word looks like) and ``legacy``
(repairing legacy encodings).
"""

from reconcile.text.folding import fold, header_key, nfc, strip_diacritics, word_pairs
from reconcile.text.legacy import has_vietnamese_letters, repair_legacy
from reconcile.text.syllables import is_folded_syllable, is_vietnamese_syllable

__all__ = [
    "fold",
    "has_vietnamese_letters",
    "header_key",
    "is_folded_syllable",
    "is_vietnamese_syllable",
    "nfc",
    "repair_legacy",
    "strip_diacritics",
    "word_pairs",
]
