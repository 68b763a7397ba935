"""The conversation: opening hours, postcodes, channels and answer wording, all testable without Rasa."""
