"""Thin Rasa SDK actions: gather the turn from the tracker, run `bot.conversation.turns` off the event loop,
send the replies. Started with `rasa run actions --actions actions` (all modules here are registered)."""
