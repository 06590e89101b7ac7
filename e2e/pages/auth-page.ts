import { expect, type Locator, type Page } from "@playwright/test";

/** The sign-in and sign-up pages, by their stable data-testids. */
export class AuthPage {
  readonly form: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId("auth-form");
    this.email = page.getByTestId("auth-email");
    this.password = page.getByTestId("auth-password");
    this.submit = page.getByTestId("auth-submit");
    this.error = page.getByTestId("auth-error");
  }

  async goto(mode: "sign-in" | "sign-up"): Promise<void> {
    await this.page.goto(`/${mode}`);
    await expect(this.form).toBeVisible();
  }

  async fill(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
  }

  /** Submits and waits for the chat page the form navigates to on success. */
  async submitAndOpenChat(): Promise<void> {
    await this.submit.click();
    await this.page.waitForURL((url) => url.pathname === "/");
  }
}

/** A fresh email address for one test. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.test`;
}
