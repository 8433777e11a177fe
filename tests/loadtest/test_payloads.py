"""The load's bodies are real rows of the dataset, in shapes the real API accepts."""

import json
import random

import pytest

from app import create_app
from loadtest.errors import LoadTestError
from loadtest.payloads import BATCH_ROWS, Payloads, read_rows


@pytest.fixture(scope="module")
def rows():
    return read_rows()


def test_every_data_row_is_a_single_row_body(rows):
    payloads = Payloads(rows)
    assert len(rows) == 569
    assert {len(r) for r in rows} == {30}
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,diagnosis\n1,x,benign\n", "not a numeric feature table"),
        ("a,b,diagnosis\n", "no rows"),
    ],
)
def test_a_bad_data_file_is_named(tmp_path, text, message):
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(LoadTestError, match=message):
        read_rows(path)
    with pytest.raises(LoadTestError, match="data file not found"):
        read_rows(tmp_path / "absent.csv")
