"""The tenant's HTTPS front end (aiohttp): parse the request, call ``tenant.state``, render JSON.

``app.build_app`` assembles the routes of the resource modules and the middlewares
(errors -> faults -> authentication -> commit). Handlers stay thin: the rules live in the state.
"""
