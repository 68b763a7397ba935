"""Sign-in accounts and roles for the web pages, apart from the gap log they give access to."""
