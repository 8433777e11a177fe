"""The module-level app for Zappa (`app_function: app.wsgi.app`) and `flask --app app.wsgi run`.

Importing this module loads the model; tools and tests import `app.create_app` instead.
"""

from app import create_app

app = create_app()
