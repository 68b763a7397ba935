"""Route modules included by bot.web.app.create_app: each exposes `router`."""
