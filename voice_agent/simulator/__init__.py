"""A simulated caller: places scripted calls to the bot over WebRTC and records what it hears."""
