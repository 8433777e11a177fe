"""The prediction API: `create_app()` builds it; Zappa and `flask run` load `app.wsgi`."""

from flask import Flask

from app import errors, logs, routes, settings
from app.model import load_model


def create_app(test_config: dict | None = None) -> Flask:
    """Configure, load and verify the model once (Lambda's init phase), then register routes."""
    app = Flask(__name__)
    settings.init_app(app, test_config)
    logs.init_app(app)
    errors.init_app(app)
    app.extensions["model"] = load_model(app.config["MODEL_DIR"], app.config["MODEL_BACKEND"])
    app.register_blueprint(routes.bp)
    return app
