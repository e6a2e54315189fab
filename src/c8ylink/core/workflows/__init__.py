"""Operation workflows as thin-edge.io 1.x defines them: the TOML files (``spec``), the ``${...}``
expressions (``expressions``) and what a state's action leads to (``steps``). Pure: the agent's
``device.agent.workflow_runner`` runs the scripts and publishes the states."""
