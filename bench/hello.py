"""The baseline for bench/run.py: the smallest Flask app, served the same way as the marketplace.

gunicorn -w 2 -k sync -b 127.0.0.1:8001 --chdir bench hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
