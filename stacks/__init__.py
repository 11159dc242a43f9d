"""CDK stacks: each wires constructs together and holds no logic."""
