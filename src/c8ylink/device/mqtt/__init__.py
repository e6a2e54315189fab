"""tedge's own MQTT clients of the local broker: their options, `tedge mqtt pub | sub`."""
