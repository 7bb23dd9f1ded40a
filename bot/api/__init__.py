"""The HTTP API (FastAPI): chat, FAQ, feedback, health, and the widget with its demo page."""
