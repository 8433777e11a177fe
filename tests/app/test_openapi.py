"""/openapi.json is a valid OpenAPI 3.1 document whose feature schema is the manifest's."""

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_matches_the_model(client, model):
    document = client.get("/openapi.json").get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    named = document["components"]["schemas"]["NamedRow"]
    assert named["required"] == model.features
    row = document["components"]["schemas"]["Row"]
    assert row["minItems"] == row["maxItems"] == len(model.features)
    assert document["info"]["version"] == model.version
