"""The gap log: what residents and staff asked that the bot could not answer, kept redacted, so the council
can see unmet demand and act on it. Also the answers and staff referrals the report compares it with.
"""
