/**
 * Waits at most `ms` for `call`, then rejects with `late()`: a call that is never answered must
 * not hold its caller forever. The call itself is left to settle in the background, unobserved.
 */
export async function withinDeadline<T>(call: Promise<T>, ms: number, late: () => Error): Promise<T> {
  call.catch(() => undefined); // may settle after the deadline, when nobody waits for it
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
