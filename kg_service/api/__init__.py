"""The GraphQL API (strawberry on uvicorn), its HTTP app, auth and limits, and the web pages."""
