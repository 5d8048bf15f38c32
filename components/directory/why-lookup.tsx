"use client";
/**
 * "Why is or isn't this person here?" on the Audience page. Owned by the editors'-dialog work (issue 6);
 * the Audience page renders it with this contract.
 */
export interface WhyLookupProps {
  seriesId: string;
}

export function WhyLookup(props: WhyLookupProps) {
  void props;
  return null;
}
