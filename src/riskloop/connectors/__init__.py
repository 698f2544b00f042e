"""Adapters to systems outside riskloop over HTTP (webhooks), behind the ports of the use cases."""
