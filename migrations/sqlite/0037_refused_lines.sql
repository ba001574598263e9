-- A message of a teacher of here that the conversation's host (another
-- instance) refused for good: the host's reason, shown beside it, so that
-- nothing looks said in the conversation that the others never saw.
ALTER TABLE conversation_lines ADD COLUMN refused_reason TEXT;
