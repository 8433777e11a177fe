"""The app on each synthetic model (binary and multiclass): features, classes and sample rows
come from the model's manifest, never from a particular data set."""

import pytest

from app import create_app
from app.manifest import sample_rows


@pytest.fixture(scope="module", params=["binary", "multiclass"])
def app(request, synthetic_models):
    config = {"MODEL_DIR": synthetic_models[request.param], "GIT_SHA": "a" * 40, "STAGE": "test"}
    return create_app(config)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def model(app):
    return app.extensions["model"]


@pytest.fixture(scope="module")
def row(model):
    """A real held-out row the manifest keeps."""
    return sample_rows(model.manifest)[0]
