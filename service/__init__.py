"""Service: the FastAPI app, chat and the web page."""
