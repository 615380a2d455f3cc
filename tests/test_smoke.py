def test_first_copy_is_unique_and_its_brief_is_a_duplicate(client, seed_text):
    first = client.post("/v1/check", json={"id": "a", "text": seed_text})
    assert first.status_code == 200
    assert first.json["duplicate"] is False
    brief = "\n\n".join(seed_text.split("\n\n")[3:10])
    second = client.post("/v1/check", json={"id": "b", "text": brief})
    assert second.json["duplicate"] is True
    assert second.json["story_id"] == first.json["story_id"]
