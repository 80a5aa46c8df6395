"""A refusal's `detail` in the reader's language: its template from the problems catalogue, its values shown
for that language (Kazakhstan time, region names, status words), English as `str(error)` always was."""

from __future__ import annotations

import gettext
from datetime import UTC, datetime

from infra.errors import Conflict, NotAllowed, NotFound
from infra.i18n import Term, format_time, render
from infra.problems import localized_detail

OPENS = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
CLOSES = datetime(2026, 5, 21, 13, 30, tzinfo=UTC)
ALMALY = {"kk": "Алмалы ауданы", "ru": "Алмалинский район", "en": "Almaly District"}


def test_english_detail_is_the_template_filled_in_with_kazakhstan_time():
    error = Conflict("Voting in round {round} has closed; it runs from {opens} to {closes}.", round=7,
                     opens=OPENS, closes=CLOSES)
    assert str(error) == error.detail == ("Voting in round 7 has closed; it runs from 2026-05-01 09:00 (Kazakhstan "
                                          "time, UTC+5) to 2026-05-21 18:30 (Kazakhstan time, UTC+5).")
    assert localized_detail(error, None) == localized_detail(error, "en") == error.detail


def test_kazakh_and_russian_details_come_from_the_catalogue():
    error = Conflict("Voting in round {round} has closed; it runs from {opens} to {closes}.", round=7,
                     opens=OPENS, closes=CLOSES)
    assert localized_detail(error, "ru") == ("Голосование в раунде 7 завершено; оно шло с 01.05.2026 09:00 (время "
                                             "Казахстана, UTC+5) по 21.05.2026 18:30 (время Казахстана, UTC+5).")
    assert localized_detail(error, "kk") == ("№7 раундта дауыс беру аяқталды. Дауыс беру уақыты: 01.05.2026 09:00 "
                                             "(Қазақстан уақыты, UTC+5) – 21.05.2026 18:30 (Қазақстан уақыты, "
                                             "UTC+5).")


def test_a_region_reads_by_its_name_and_a_status_in_the_language():
    error = NotAllowed("Only residents registered in region {region} or inside it may {doing}.", region=ALMALY,
                       doing=Term("sign its initiatives"))
    assert error.detail == "Only residents registered in region Almaly District or inside it may sign its initiatives."
    assert localized_detail(error, "ru") == ("Только жители, зарегистрированные в регионе «Алмалинский район» или в "
                                             "его пределах, могут подписывать его инициативы.")
    status = Conflict("Round {round} is {status}: its settings can no longer change.", round=3,
                      status=Term("closed"))
    assert status.detail == "Round 3 is closed: its settings can no longer change."
    assert localized_detail(status, "kk") == "№3 раунд «жабық» күйінде: оның баптауларын енді өзгертуге болмайды."


def test_a_message_the_catalogue_lacks_stays_english():
    # The plain form other code may still raise: an f-string, or a template not yet translated.
    assert localized_detail(NotFound("There is no widget 5."), "kk") == "There is no widget 5."
    error = NotFound("There is no widget {widget}.", widget=5)
    assert localized_detail(error, "ru") == "There is no widget 5."


def test_a_translation_whose_placeholders_do_not_fit_falls_back_to_english():
    class Broken(gettext.NullTranslations):
        def gettext(self, message):
            return "Раунд {номер} закрыт."

    assert render("Round {round} is closed.", {"round": 4}, "ru", Broken()) == "Round 4 is closed."


def test_times_are_kazakhstan_time_in_each_language():
    # One zone, UTC+5, since 1 March 2024: a fixed offset, whatever the machine's tzdata says.
    assert format_time(datetime(2024, 3, 1, 0, 0, tzinfo=UTC), "en") == "2024-03-01 05:00 (Kazakhstan time, UTC+5)"
    assert format_time(datetime(2026, 12, 31, 20, 0), "ru") == "01.01.2027 01:00 (время Казахстана, UTC+5)"
