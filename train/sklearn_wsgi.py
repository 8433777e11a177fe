"""The API with the scikit-learn pipeline behind it, for `make bench-loadtest` only.

Never deployed: the Lambda package serves ONNX Runtime (app.wsgi). This exists so the load-test
benchmark can put both runtimes behind the same routes and gunicorn workers.
"""

from app import create_app
from train.paths import MODELS_DIR
from train.sklearn_model import load_sklearn_model

app = create_app(model=load_sklearn_model(MODELS_DIR))
