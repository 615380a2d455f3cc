"""Wire formats (dedupe/wire.py): ninjs, NITF and NewsML-G2 items read safely, and a wire identity that joins
the versions of one item whatever their text."""

from __future__ import annotations

import json

import pytest

from dedupe import cli
from dedupe.wire import MAX_DEPTH, WireFormatError, from_ninjs, from_xml
from support import articles
from tests.conftest import WEBHOOK_SECRET
from tests.helpers import check, deliver

BODY = articles.wire_original()
PARAS = [p for p in BODY.split("\n") if p.strip()]
NITF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<nitf><head><title>Russia says US failing</title><docdata>'
    '<doc-id id-string="AFP-20220127-1132"/><date.issue norm="20220127T100000Z"/></docdata></head>'
    "<body><body.head><hedline><hl1>Russia says US failing on Ukraine</hl1></hedline>"
    "<dateline>MOSCOW, Jan 27</dateline></body.head><body.content>"
    + "".join(f"<p>{p}</p>" for p in PARAS[:8])
    + "</body.content></body></nitf>"
)
NEWSML = (
    '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:afp.com:20220127:1132" version="2">'
    "<itemMeta><versionCreated>2022-01-27T11:00:00Z</versionCreated></itemMeta>"
    "<contentMeta><headline>Russia says US failing</headline></contentMeta><contentSet>"
    '<inlineXML contenttype="application/nitf+xml">' + NITF.split("?>", 1)[1] + "</inlineXML>"
    "</contentSet></newsItem>"
)


def test_ninjs_1_and_2_give_the_same_article():
    one = from_ninjs({"uri": "urn:ap:1", "version": 3, "headline": "H", "body_text": BODY,
                      "versioncreated": "2022-01-27T10:00:00Z"})  # fmt: skip
    two = from_ninjs({"uri": "urn:ap:1", "version": "3", "headlines": [{"value": "H"}],
                      "bodies": [{"contenttype": "text/plain", "value": BODY}],
                      "versioncreated": "2022-01-27T10:00:00+00:00"})  # fmt: skip
    assert one == two
    assert (one.text, one.title, one.wire_id, one.version) == (BODY, "H", "urn:ap:1", "3")
    assert one.published_at is not None and one.published_at.isoformat() == "2022-01-27T10:00:00+00:00"


def test_nitf_gives_its_paragraphs_headline_date_and_doc_id():
    item = from_xml(NITF)
    assert item.text == "\n".join(PARAS[:8])
    assert item.title == "Russia says US failing on Ukraine"
    assert item.wire_id == "AFP-20220127-1132"
    assert item.published_at is not None and item.published_at.isoformat() == "2022-01-27T10:00:00+00:00"


def test_newsml_g2_gives_the_inline_nitf_with_the_item_guid_and_version():
    item = from_xml(NEWSML)
    assert item.text == "\n".join(PARAS[:8])
    assert (item.wire_id, item.version) == ("urn:newsml:afp.com:20220127:1132", "2")


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE nitf [<!ENTITY a "aaaaaaaaaa">]><nitf><body><body.content><p>&a;</p></body.content></body></nitf>',
        '<!DOCTYPE nitf SYSTEM "http://example.com/nitf.dtd"><nitf/>',
        "<nitf><body><body.content><p>unclosed</body.content></body></nitf>",
        "<rss><channel/></rss>",
        "<nitf>" + "<div>" * (MAX_DEPTH + 5) + "</div>" * (MAX_DEPTH + 5) + "</nitf>",
    ],
    ids=["entities", "external-dtd", "not-well-formed", "other-format", "too-deep"],
)
def test_unsafe_or_unknown_xml_is_refused(xml):
    with pytest.raises(WireFormatError):
        from_xml(xml)


def test_api_refuses_bad_xml_with_a_422_naming_the_field(client):
    response = client.post("/v1/check", json={"id": "x", "xml": "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "xml"
    response = client.post("/v1/check", json={"id": "x", "ninjs": {"uri": "u"}})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "ninjs"


def test_a_nitf_copy_matches_the_plain_text_original(client):
    original = check(client, "afp", BODY, published_at="2022-01-27T09:00:00Z")
    copy = check(client, "nitf-copy", xml=NITF)
    assert copy["duplicate"] is True
    assert copy["story_id"] == original["story_id"]
    assert copy["matches"][0]["published_at"] == "2022-01-27T09:00:00Z"


def test_versions_of_one_wire_item_join_its_story_whatever_their_text(client):
    first = check(client, "v1", ninjs={"uri": "urn:ap:42", "version": 1, "body_text": BODY,
                                       "versioncreated": "2022-01-27T10:00:00Z"})  # fmt: skip
    rewritten = articles.SAME_TOPIC  # another text entirely: only the wire identity ties it to the first
    second = check(client, "v2", ninjs={"uri": "urn:ap:42", "version": 2, "body_text": rewritten,
                                        "versioncreated": "2022-01-27T12:00:00Z"})  # fmt: skip
    assert second["story_id"] == first["story_id"]
    assert second["duplicate"] is True
    (match,) = second["matches"]
    assert (match["id"], match["relation"], match["evidence"]) == ("v1", "version", "wire_id")
    other = check(client, "other", ninjs={"uri": "urn:ap:43", "body_text": articles.UNRELATED})
    assert other["story_id"] not in (first["story_id"], None)
    assert other["matches"] == []


def test_the_webhook_and_backfill_take_wire_items_too(make_app, tmp_path, settings, monkeypatch):
    wh = make_app(webhook_secrets=(WEBHOOK_SECRET,)).test_client()
    event = {"type": "article.published", "data": {"id": "ninjs-1", "ninjs": {"uri": "urn:ap:7", "body_text": BODY}}}
    response = deliver(wh, WEBHOOK_SECRET, event)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"]["indexed"] is True
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps({"id": "nitf-1", "xml": NITF}) + "\n")
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("DEDUPE_NAMESPACE", settings.namespace)
    assert cli.main(["backfill", str(archive), "--workers", "0", "--quiet"]) == 0
    stored = wh.get("/v1/articles/nitf-1").get_json()
    assert stored["title"] == "Russia says US failing on Ukraine"
    assert stored["story_id"] == wh.get("/v1/articles/ninjs-1").get_json()["story_id"]
