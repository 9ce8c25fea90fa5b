"""Articles not in English: the tagger's word lists are English, so only front matter tags them."""
from __future__ import annotations

import pytest

from digest.config import TagsConfig
from digest.tag import tag
from tests.unit.test_tag import make, stats_for

GERMAN = (
    "Die Stadt Hamburg hat am Montag einen neuen Plan für den Hafen vorgestellt. Der Senat will die Flächen "
    "am Wasser neu ordnen und mehr Platz für Wohnungen schaffen. Die Kosten liegen nach Angaben der Behörde "
    "bei rund zwei Milliarden Euro, und die Arbeiten sollen im nächsten Jahr beginnen. Kritiker sagen, dass "
    "der Plan zu teuer ist und die Bürger nicht gefragt wurden."
)
PORTUGUESE = (
    "A prefeitura anunciou nesta segunda-feira um novo plano para o porto da cidade. O projeto prevê mais "
    "moradias perto da água e uma nova linha de ônibus elétricos. Segundo a secretaria, o custo será de dois "
    "bilhões de reais e as obras devem começar no próximo ano. Os críticos dizem que o plano é caro demais."
)
KOREAN = (
    "서울시는 월요일에 항구 지역을 위한 새로운 계획을 발표했다. 시는 물가에 더 많은 주택을 짓고 전기 버스 노선을 새로 만들 예정이다. "
    "비용은 약 2조 원으로 추산되며 공사는 내년에 시작될 예정이다. 비판하는 사람들은 계획이 너무 비싸다고 말한다. "
    "시민 단체는 주민 의견을 먼저 들어야 한다고 주장했다. 시장은 다음 달에 공청회를 열겠다고 밝혔다."
)


@pytest.mark.parametrize("body", [GERMAN, PORTUGUESE, KOREAN], ids=["de", "pt", "ko"])
def test_an_article_in_another_language_gets_no_tags_of_its_own(body: str) -> None:
    a = make("Hafen", body)
    out = tag(a, stats_for(a), TagsConfig(count=8))
    assert (out.tags, out.keyphrases, out.entities, out.section) == ((), (), (), "")
    given = make("Hafen", body, meta_tags=("Hamburg", "port"), meta_section="business")
    out = tag(given, stats_for(given), TagsConfig(count=8))
    assert out.tags == ("Hamburg", "port") and out.section == "Business"


@pytest.mark.parametrize(
    "body",
    [
        # English, a few words only, or a name-heavy list: still read as English
        "The city unveiled a plan for the harbour on Monday. It would cost two billion euros, officials said, "
        "and work would start next year. Critics said the plan was too expensive and residents were not asked.",
        "Hamburg port plan unveiled.",
        "Results: Hamburg 2, Bremen 1; Köln 0, Mainz 0; Berlin 3, Leipzig 3. The league table is below, and "
        "the next round of matches is on Saturday, when Hamburg play at home against Berlin in the evening.",
    ],
)
def test_english_articles_are_tagged_as_before(body: str) -> None:
    a = make("Harbour plan", body)
    out = tag(a, stats_for(a), TagsConfig(count=8))
    assert out.tags and out.keyphrases and out.section
