"""Bad input: exit 1 with a clear message on stderr, never a crash, and the data
already in the store stays there."""

import json

import pytest

from presend_cli import CONFIG, EXIT_ERROR, EXIT_OK, assert_error, assert_store_intact, header_constant, transactional

MAX_MESSAGE_JSON_BYTES = header_constant("PRESEND_MAX_MESSAGE_JSON_BYTES")


# --- messages --------------------------------------------------------------------

BAD_MESSAGES = {
    "malformed JSON": (b'{"from": "a@example.com", "to": [', ["malformed json"]),
    "empty input": (b"", ["json"]),
    "not an object": (b'["a@example.org"]', ["object", "message"]),
    "invalid UTF-8": (b'{"from": "a@example.com", "to": ["x\xff@example.org"], "stream": "transactional"}',
                      ["utf-8"]),
    "overlong UTF-8": (b'{"from": "a@example.com", "to": ["x\xc0\xae@example.org"], "stream": "transactional"}',
                       ["utf-8"]),
    "NUL byte": (b'{"from": "a@example.com", "to": ["x\x00y@example.org"], "stream": "transactional"}',
                 ["json", "nul", "control"]),
    "unknown field": (json.dumps(transactional("a@example.org", bogus=1)).encode(), ["bogus"]),
    "wrong type": (json.dumps(transactional("a@example.org", to=5)).encode(), ["to"]),
    "unknown account": (json.dumps(transactional("a@example.org", account="nope")).encode(), ["nope"]),
    "unknown region": (json.dumps(transactional("a@example.org", region="mars-1")).encode(), ["mars-1"]),
    "unknown stream": (json.dumps(transactional("a@example.org", stream="newsletter")).encode(), ["stream"]),
}


@pytest.mark.parametrize("data,fragments", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_bad_message(seeded, data, fragments):
    assert_error(seeded.run("check", "-", input=data), *fragments)
    assert_error(seeded.run("check", "-", "--dry-run", input=data), *fragments)
    assert_store_intact(seeded)


def test_oversized_message(seeded):
    # Valid JSON, one byte over the limit: rejected for its size alone.
    msg = json.dumps(transactional("big@example.org"))
    data = msg[:-1] + " " * (MAX_MESSAGE_JSON_BYTES + 1 - len(msg)) + "}"
    assert len(data) == MAX_MESSAGE_JSON_BYTES + 1
    path = seeded.write("big.json", data)
    assert_error(seeded.run("check", path), "too big", "exceeds", "limit")
    assert_store_intact(seeded)


def test_message_at_the_limit_is_not_too_big(seeded):
    msg = json.dumps(transactional("big@example.org"))
    data = msg[:-1] + " " * (MAX_MESSAGE_JSON_BYTES - len(msg)) + "}"
    path = seeded.write("limit.json", data)
    seeded.run("check", path, "--dry-run", expect=EXIT_OK)


def test_missing_message_file(seeded):
    assert_error(seeded.run("check", seeded.dir / "absent.json"), "absent.json")
    assert_store_intact(seeded)


def test_message_path_is_a_directory(seeded):
    (seeded.dir / "adir").mkdir()
    assert_error(seeded.run("check", seeded.dir / "adir"), "adir")
    assert_store_intact(seeded)


def test_batch_that_is_not_an_array(seeded):
    assert_error(seeded.run("check", "--batch", "-", input=transactional("a@example.org")), "array")
    assert_error(seeded.run("check", "--batch", "-", input=b"[{"), "json")
    assert_store_intact(seeded)


# --- consent, suppression and quota input ---------------------------------------


def test_consent_import_of_a_missing_file(seeded):
    assert_error(seeded.run("consent", "import", seeded.dir / "absent.csv"), "absent.csv")
    assert_store_intact(seeded)


def test_consent_import_of_a_directory(seeded):
    (seeded.dir / "adir").mkdir()
    assert_error(seeded.run("consent", "import", seeded.dir / "adir"), "adir")
    assert_store_intact(seeded)


def test_consent_import_with_an_unknown_column_imports_nothing(seeded):
    path = seeded.write("odd.csv", "address,list,favourite_colour\nnew@example.org,weekly,blue\n")
    assert_error(seeded.run("consent", "import", path), "favourite_colour")
    assert seeded.consent("new@example.org") == []
    assert_store_intact(seeded)


def test_consent_import_report_stays_valid_json_with_invalid_utf8_rows(seeded):
    path = seeded.write("mixed.csv", b"address,list\ngood@example.org,weekly\nbad\xff@example.org,weekly\n")
    report = seeded.run("--json", "consent", "import", path, expect=EXIT_OK).json()
    assert report["imported"] == 1 and report["rejected"] == 1
    assert report["errors"][0]["line"] == 3
    assert seeded.consent("good@example.org")
    assert_store_intact(seeded)


def test_address_json_stays_valid_json_with_invalid_utf8_input(cli):
    (entry,) = cli.run("--json", "address", b"x\xff@example.org".decode("utf-8", "surrogateescape"),
                       expect=EXIT_ERROR).json()
    assert entry["valid"] is False and "UTF-8" in entry["error"]


def test_consent_grant_with_invalid_utf8(seeded):
    bad = b"x\xff@example.org".decode("utf-8", "surrogateescape")
    assert_error(seeded.run("consent", "grant", bad, "--list", "weekly"), "utf-8")
    assert_error(seeded.run("consent", "grant", "ok@example.org", "--list", "weekly", "--source", bad), "utf-8")
    assert seeded.consent("ok@example.org") == []
    assert_store_intact(seeded)


def test_consent_grant_with_invalid_values(seeded):
    assert_error(seeded.run("consent", "grant", "not an address", "--list", "weekly"), "address")
    assert_error(seeded.run("consent", "grant", "a@example.org", "--list", "weekly", "--status", "maybe"), "status")
    assert_error(seeded.run("consent", "grant", "a@example.org", "--list", "weekly", "--consented-at", "yesterday"),
                 "consented_at", "timestamp", "time")
    assert seeded.consent("a@example.org") == []
    assert_store_intact(seeded)


def test_suppress_add_with_invalid_values(seeded):
    assert_error(seeded.run("suppress", "add", "not an address"), "address")
    assert_error(seeded.run("suppress", "add", "a@example.org", "--reason", "dislike"), "reason")
    assert seeded.json("suppress", "list") == []
    assert_store_intact(seeded)


@pytest.mark.parametrize("content,fragments", [
    (b'{"Max24HourSend": 1', ["json"]),
    (b'{"Max24HourSend": "many", "MaxSendRate": 1, "SentLast24Hours": 0}', ["Max24HourSend"]),
    (b'{"Max24HourSend": -1, "MaxSendRate": 1, "SentLast24Hours": 0}', ["Max24HourSend"]),
    (b'{"MaxSendRate": 1, "SentLast24Hours": 0}', ["Max24HourSend"]),
], ids=["malformed", "string", "negative", "missing"])
def test_quota_sync_from_a_bad_file(seeded, content, fragments):
    path = seeded.write("quota.json", content)
    assert_error(seeded.run("quota", "sync", "--from", path), *fragments)
    q = seeded.json("quota", "status")
    assert (q["max_24h"], q["limits_source"]) == (1000, "config")
    assert_store_intact(seeded)


def test_quota_of_an_unknown_account_or_region(seeded):
    assert_error(seeded.run("quota", "status", "--account", "nope"), "nope")
    assert_error(seeded.run("quota", "status", "--region", "mars-1"), "mars-1")
    assert_error(seeded.run("quota", "sync", "--region", "mars-1", "--max-24h", "1", "--max-rate", "1",
                            "--sent-last-24h", "0"), "mars-1")
    assert_store_intact(seeded)


# --- configuration ---------------------------------------------------------------


def bad_configs():
    unknown_top = dict(CONFIG, colour="blue")
    unknown_nested = json.loads(json.dumps(CONFIG))
    unknown_nested["accounts"]["prod"]["regions"]["us-east-1"]["max_rte"] = 1
    wrong_type = dict(CONFIG, fail_open="yes")
    bad_mode = json.loads(json.dumps(CONFIG))
    bad_mode["checks"]["consent"]["mode"] = "sometimes"
    bad_default = dict(CONFIG, defaults={"account": "nope", "region": "us-east-1"})
    return {
        "unknown key": (json.dumps(unknown_top).encode(), ["colour"]),
        "unknown nested key": (json.dumps(unknown_nested).encode(), ["max_rte"]),
        "wrong type": (json.dumps(wrong_type).encode(), ["fail_open"]),
        "unknown check mode": (json.dumps(bad_mode).encode(), ["mode"]),
        "default account not configured": (json.dumps(bad_default).encode(), ["nope"]),
        "malformed JSON": (b'{"store": ', ["json"]),
        "invalid UTF-8": (b'{"store": "presend.db", "defaults": {"account": "pr\xffod"}}', ["utf-8"]),
        "not an object": (b"[]", ["object", "configuration"]),
        "empty file": (b"", ["json", "configuration"]),
    }


BAD_CONFIGS = bad_configs()


@pytest.mark.parametrize("content,fragments", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_configuration(seeded, content, fragments):
    bad = seeded.write("bad.json", content)
    # The same store, through a broken configuration.
    for args in (["quota", "status"], ["consent", "grant", "new@example.org", "--list", "weekly"],
                 ["check", "-"]):
        res = seeded.run("--db", seeded.store, *args, config=bad, input=transactional("a@example.org"))
        assert_error(res, *fragments)
    assert seeded.consent("new@example.org") == []
    assert_store_intact(seeded)


def test_missing_configuration_file(seeded):
    assert_error(seeded.run("quota", "status", config=seeded.dir / "absent.json"), "absent.json")


def test_store_in_a_missing_directory(seeded):
    res = seeded.run("--db", seeded.dir / "no" / "such" / "dir" / "x.db", "quota", "status")
    assert_error(res, "x.db")
    assert not (seeded.dir / "no").exists()
