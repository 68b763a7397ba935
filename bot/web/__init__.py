"""The web app: see bot/web/app.py and docs/web.md."""
