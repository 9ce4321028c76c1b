// Kernel limits the model enforces, beyond the uapi ones in abi/limits.ts.

/** create_user_ns(): "if (parent_ns->level > 32) return -EUSERS". */
export const MAX_USER_NS_LEVEL = 32;
