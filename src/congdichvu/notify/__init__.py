"""Telling citizens and staff: a notifier interface (email; SMS/Zalo
adapters), and a notification outbox sent after commit, with retries."""
