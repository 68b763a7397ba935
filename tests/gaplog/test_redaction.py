"""Personal details never reach the gap log: a table of real-format examples, each with what must be kept.

Phone numbers are Ofcom's drama ranges (01632 960xxx, 07700 900xxx, 020 7946 0xxx), National Insurance
numbers use the QQ prefix kept for examples, and card numbers are the card schemes' published test numbers.
"""

from __future__ import annotations

import logging

import pytest

from bot.gaplog.redaction import RedactingFilter, install_redacting_filter, redact

CASES = [
    # postcodes: cut to the outward code
    ("My bin was missed at SG13 8EQ", "My bin was missed at SG13"),
    ("postcode sw1a 1aa please", "postcode SW1A please"),
    ("I live in M1 1AE", "I live in M1"),
    ("Address is B33 8TH", "Address is B33"),
    ("CR2 6XH flytipping", "CR2 flytipping"),
    ("no space: DN551PT", "no space: DN55"),
    ("EC1A 1BB", "EC1A"),
    # phone numbers
    ("call me on 01632 960123", "call me on [phone]"),
    ("my mobile is 07700 900456", "my mobile is [phone]"),
    ("07700900999 is my number", "[phone] is my number"),
    ("ring +44 7700 900123 after 5", "ring [phone] after 5"),
    ("landline 020 7946 0018", "landline [phone]"),
    ("(01632) 960 001 is best", "[phone] is best"),
    ("0044 7700 900321", "[phone]"),
    # email addresses
    ("email jo.bloggs@example.co.uk thanks", "email [email] thanks"),
    ("Contact: SAM_99@example.org", "Contact: [email]"),
    # National Insurance numbers
    ("my NI number is QQ 12 34 56 C", "my NI number is [ni number]"),
    ("NINO QQ123456A", "NINO [ni number]"),
    ("ni: qq 12 34 56 d", "ni: [ni number]"),
    # payment cards (Luhn-valid test numbers)
    ("card 4111 1111 1111 1111 expired", "card [card] expired"),
    ("paid with 5555-5555-5555-4444", "paid with [card]"),
    ("amex 378282246310005", "amex [card]"),
    # other long numbers: reference numbers
    ("council tax account 123456789", "council tax account [number]"),
    # house numbers before a street: the street is kept
    ("pothole outside 12 Acacia Avenue", "pothole outside [address] Acacia Avenue"),
    ("42B Baker Street has rats", "[address] Baker Street has rats"),
    ("flat 3, 7 mill lane", "[address], [address] mill lane"),
    ("at 221 Old Kent Road again", "at [address] Old Kent Road again"),
    # names
    ("my name is John Smith and my bin was missed", "my name is [name] and my bin was missed"),
    ("Hi, I'm called Priya", "Hi, I'm called [name]"),
    ("my name's Dr. O'Brien", "my name's [name]"),
    ("this is Dave speaking, the road is flooded", "this is [name] speaking, the road is flooded"),
    ("my neighbour Mr Patel keeps burning rubbish", "my neighbour [name] keeps burning rubbish"),
    ("name: Aisha Khan", "name: [name]"),
    # several at once
    (
        "I'm called Jo, 12 Acacia Avenue SG13 8EQ, 07700 900123, jo@example.com",
        "I'm called [name], [address] Acacia Avenue SG13, [phone], [email]",
    ),
]

KEPT = [
    "my bin was not collected",
    "pothole on Acacia Avenue",
    "I live in SG13",
    "they took 3 weeks to come",
    "3 bags of rubbish left by the road",
    "I paid £150 in 2024",
    "is the tip open on 26 December",
    "call 999 or 111 or 101",
    "my council tax bill went up by 5 percent",
    "2 weeks on the road",
    "it happened on 05.02.22 at 9.25 and 06.02.22 at 10.15",
    "seen at 21:30 on 10/02/2022",
    "map link @51.4669,-0.0123456,313h",
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_personal_details_are_replaced_before_storing(raw: str, expected: str) -> None:
    assert redact(raw) == expected


@pytest.mark.parametrize("sentence", KEPT)
def test_words_that_describe_the_need_are_left_alone(sentence: str) -> None:
    assert redact(sentence) == sentence


def test_a_number_that_fails_the_card_check_is_still_hidden_but_not_called_a_card() -> None:
    assert redact("card 4111 1111 1111 1112") == "card [number]"


def test_empty_and_very_long_messages_are_handled() -> None:
    assert redact("") == ""
    long_message = "my bin was missed again at SG13 8EQ. " * 150
    redacted = redact(long_message)
    assert "8EQ" not in redacted
    assert redacted.count("SG13") == 150


def test_the_logging_filter_redacts_what_reaches_the_handler() -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    logger = logging.getLogger("bot.test_redaction")
    handler = Collect()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("resident said %r", "call 07700 900123 at SG13 8EQ")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert records == ["resident said 'call [phone] at SG13'"]


def test_installing_the_filter_covers_records_from_child_loggers(caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    before = {id(handler): list(handler.filters) for handler in root.handlers}
    install_redacting_filter("bot")
    install_redacting_filter("bot")  # twice: still one filter per handler
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("bot.some.module").info("text was %s", "email me at jo@example.com")
        formatted = [caplog.handler.format(record) for record in caplog.records]
        assert any("[email]" in line for line in formatted), formatted
        assert not any("jo@example.com" in line for line in formatted)
        for handler in root.handlers:
            assert sum(isinstance(item, RedactingFilter) for item in handler.filters) == 1
    finally:
        for handler in root.handlers:
            handler.filters = before.get(id(handler), [])
        for name in ("", "bot"):
            logger = logging.getLogger(name)
            logger.filters = [item for item in logger.filters if not isinstance(item, RedactingFilter)]


def test_records_of_the_apps_loggers_are_redacted_even_for_handlers_added_later() -> None:
    install_redacting_filter("bot")
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("bot.added.later")
    handler = Keep()
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("staff searched %s for caller %s", "SG13 8EQ", "07700 900123")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert seen[0].getMessage() == "staff searched SG13 for caller [phone]"


def test_an_access_log_line_keeps_its_shape_and_loses_the_query_details() -> None:
    from bot.gaplog.redaction import redact_record

    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", "/staff?q=rats%20at%20SG13%208EQ", "1.1", 200), None,
    )  # fmt: skip
    redact_record(record)
    assert record.args == ("127.0.0.1:50000", "GET", "/staff?q=rats at SG13", "1.1", 200)
    assert record.getMessage() == '127.0.0.1:50000 - "GET /staff?q=rats at SG13 HTTP/1.1" 200'
