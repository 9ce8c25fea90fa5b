"""Past forms of irregular English verbs that never belong inside a keyphrase.

Data only, read by :mod:`digest.tag`, which adds these words to the "breakers" of
``digest/data/tag_breakers.txt``: a candidate phrase never runs across one, so "an
earthquake shook northern Chile" yields "earthquake" and "northern Chile", not "shook
northern". Only simple past forms are listed: participles that also serve as
adjectives ("frozen assets", "stolen goods", "broken promises") start good noun phrases
and stay out, as do forms that are common nouns or names ("hit", "shot", "rose").
Lower case; edit freely.
"""
from __future__ import annotations

IRREGULAR_PAST: frozenset[str] = frozenset("""
ate awoke bade bled blew bought bred caught clung crept dealt dove drank drew drove dug
fed fled flew flung forbade forgave forgot forsook froze gave grew hid knew lay leapt led
lent lit overcame overtook ran rang rode sang sank sat saw sent shook shone shrank slept
slid slung smote sold sought spoke sprang stank stole stood strove struck stung swam swore
swung taught threw thrust tore trod understood undertook underwent wept withdrew woke wore
wove wrote
""".split())
