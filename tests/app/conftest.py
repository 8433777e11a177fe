import pytest

from app import create_app
from tests.conftest import COMMITTED_MODELS


@pytest.fixture(scope="module")
def app():
    return create_app({"MODEL_DIR": COMMITTED_MODELS, "GIT_SHA": "a" * 40, "STAGE": "test"})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def model(app):
    return app.extensions["model"]


@pytest.fixture(scope="module")
def row():
    from tests.app.helpers import first_row

    return first_row()
