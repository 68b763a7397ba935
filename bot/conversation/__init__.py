"""The conversation: opening hours, postcodes, channels and the wording of answers, all testable without Rasa."""
