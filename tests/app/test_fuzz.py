"""Property: no JSON body, however odd, makes /predict answer 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=35)
        | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=60,
)


def near_valid(row: list[float]):
    """Bodies of about the model's width: one or two values off, odd numbers, a real value."""
    n = len(row)
    return st.fixed_dictionaries(
        {
            "data": st.lists(
                st.floats() | st.integers() | st.just(row[0]), min_size=n - 2, max_size=n + 2
            )
        }
    ) | st.fixed_dictionaries(
        {
            "instances": st.lists(
                st.lists(st.floats(allow_nan=False), min_size=n - 1, max_size=n + 1), max_size=3
            )
        }
    )


def bodies(row: list[float]):
    return (
        json_values
        | near_valid(row)
        | st.fixed_dictionaries({"data": json_values})
        | st.fixed_dictionaries({"instances": json_values})
    )


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=st.data())
def test_no_json_body_causes_a_server_error(client, row, data):
    body = data.draw(bodies(row))
    raw = json.dumps(body, allow_nan=True)  # NaN/Infinity literals included on purpose
    response = client.post("/predict", data=raw, content_type="application/json")
    assert response.status_code < 500
    payload = response.get_json()
    assert ("predictions" in payload) if response.status_code == 200 else ("error" in payload)


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_no_byte_string_causes_a_server_error(client, raw):
    response = client.post("/predict", data=raw, content_type="application/json")
    assert response.status_code in (200, 400, 422)
