"""The prediction API: `create_app()` builds it; Zappa and `flask run` load `app.wsgi`."""

from flask import Flask

from app import errors, logs, routes, settings
from app.model import LoadedModel, load_model


def create_app(test_config: dict | None = None, model: LoadedModel | None = None) -> Flask:
    """Configure, load and verify the model once (Lambda's init phase), then register routes.

    `model` serves an already loaded model instead of MODEL_DIR's ONNX model: the benchmarks use
    it to put the scikit-learn pipeline behind the same routes.
    """
    app = Flask(__name__)
    settings.init_app(app, test_config)
    logs.init_app(app)
    errors.init_app(app)
    app.extensions["model"] = model or load_model(app.config["MODEL_DIR"])
    app.register_blueprint(routes.bp)
    return app
