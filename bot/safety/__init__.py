"""The safety check: every message is looked at for signs that someone is in danger before anything else.

`detect(text)` says whether a message is a crisis and which kind (`bot.safety.detect`); `crisis_answer`
composes the reply that leads with the right numbers (`bot.safety.reply`). The numbers and the vocabulary are
reviewed data under `data/safety/`, validated when a process starts (`bot.safety.catalogue`). The check runs
in Rasa's NLU pipeline (`bot.safety.rasa_component`), in the REST channel's own fallback and in the web app's
fallback, so a resident in danger gets the numbers even when the rest of the assistant is down.
"""
