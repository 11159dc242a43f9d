"""What the product's parts agree on: pure data and functions, shipped to Lambda, to the voice
instance and used by the CDK app. Nothing here reads the environment or calls AWS."""
