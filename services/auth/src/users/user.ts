export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}
