"""The load's bodies are real rows of the model's data set (named by its manifest), in shapes the
real API accepts."""

import json
import random

import pytest

from app import create_app
from app.manifest import feature_names, read_manifest
from loadtest.errors import LoadTestError
from loadtest.paths import MANIFEST_FILE
from loadtest.payloads import BATCH_ROWS, Payloads, read_rows


@pytest.fixture(scope="module")
def rows():
    return read_rows()


def test_every_data_row_is_a_single_row_body(rows):
    manifest = read_manifest(MANIFEST_FILE)
    payloads = Payloads(rows)
    assert len(rows) == manifest["data"]["rows"]
    assert {len(r) for r in rows} == {len(feature_names(manifest))}
    assert len(payloads.singles) == len(rows)
    assert json.loads(payloads.singles[0].data) == {"data": rows[0]}


def test_batches_hold_10_to_100_real_rows(rows):
    payloads = Payloads(rows, seed=3)
    sizes = [body.rows for body in payloads.batches]
    assert min(sizes) >= BATCH_ROWS[0]
    assert max(sizes) <= BATCH_ROWS[1]
    assert len(set(sizes)) > 20  # sizes vary across the range
    known = {tuple(r) for r in rows}
    for body in payloads.batches[:10]:
        instances = json.loads(body.data)["instances"]
        assert len(instances) == body.rows
        assert all(tuple(r) in known for r in instances)


def test_the_real_api_answers_every_kind_of_body(rows):
    client = create_app().test_client()
    payloads = Payloads(rows, batches=5)
    rng = random.Random(0)
    for body in [payloads.single(rng), *payloads.batches]:
        response = client.post("/predict", data=body.data, content_type="application/json")
        assert response.status_code == 200
        assert len(response.get_json()["predictions"]) == body.rows


def manifest_for(tmp_path, text, features=("a", "b"), target="label"):
    data = tmp_path / "data.csv"
    data.write_text(text)
    manifest = tmp_path / "manifest.json"
    document = {
        "model_version": "v",
        "artifacts": {},
        "classes": ["no", "yes"],
        "features": [{"name": name} for name in features],
        "data": {"path": str(data), "target": target},
    }
    manifest.write_text(json.dumps(document))
    return manifest


def test_rows_follow_the_manifest_s_feature_order_not_the_file_s(tmp_path):
    manifest = manifest_for(tmp_path, "label,b,a\nyes,2,1\nno,4,3\n")
    assert read_rows(manifest) == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,label\n1,x,no\n", "not the model's numeric feature table"),
        ("a,c,label\n1,2,no\n", "not the model's numeric feature table"),
        ("a,b,label\n", "no rows"),
    ],
)
def test_a_bad_data_file_is_named(tmp_path, text, message):
    with pytest.raises(LoadTestError, match=message):
        read_rows(manifest_for(tmp_path, text))
    (tmp_path / "data.csv").unlink()
    with pytest.raises(LoadTestError, match="data file not found"):
        read_rows(tmp_path / "manifest.json")
    with pytest.raises(LoadTestError, match="cannot tell which data"):
        read_rows(tmp_path / "absent.json")
